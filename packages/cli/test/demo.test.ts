import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--conditions=@m2m-auth/source', BIN, ...args]).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

describe('m2m-auth demo', () => {
  it('runs every adapter against every seed vendor, checks every row, and exits 0', async () => {
    const { code, stdout, stderr } = await run('demo');
    expect(stderr).toBe('');
    // On failure, the message names the steps that were wrong.
    expect(
      code,
      stdout
        .split('\n')
        .filter((line) => line.includes('WRONG'))
        .join('\n'),
    ).toBe(0);
    for (const adapter of ['fetch', 'axios', 'got', 'ky']) {
      for (const [vendor, tokenRequests] of [
        ['Fenris', 3],
        ['Fenergo', 4],
        ['Platform', 3],
        ['Security-first', 3],
      ] as const) {
        // | adapter | vendor | requests | token requests | 401s | refreshed ahead | result |
        expect(stdout).toMatch(
          new RegExp(
            `\\| ${adapter} \\| ${vendor} \\| \\d+ \\| ${tokenRequests} \\| 1 \\| 1 \\| ok \\|`,
          ),
        );
      }
    }
    expect(stdout).toContain('All 16 rows right');
    expect(stdout).toContain(
      'asked for by the token endpoint 1x and the API 1x, answered with proofs',
    );
    expect(stdout).not.toContain('WRONG');
    expect(stdout).toContain('401, refreshed once, replayed: 200');
    expect(stdout).toContain('403, passed through untouched; the token stays (200)');
  }, 60_000);

  it('explains itself with --help and refuses arguments', async () => {
    const help = await run('demo', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'every adapter (fetch, axios, got, ky) against every seed vendor',
    );
    const wrong = await run('demo', '--fast');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('takes no arguments');
  });
});
