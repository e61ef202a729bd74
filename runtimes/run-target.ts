/**
 * Step 3: run one target's bundle and read back its result. Node, Bun and Deno are child
 * processes that print one result line; workerd is run-worker.ts. Each gets only the
 * servers' URLs (`M2M_SMOKE`), not the harness's environment.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULT_PREFIX } from './protocol.ts';
import { runWorker } from './run-worker.ts';
import type { SmokeConfig, SmokeResult } from './smoke.ts';
import type { Target } from './targets.ts';

const RUN_TIMEOUT_MS = 90_000;

export async function runTarget(
  target: Target,
  binary: string,
  file: string,
  config: SmokeConfig,
): Promise<SmokeResult> {
  if (target.flavor === 'worker') return runWorker(file, config, RUN_TIMEOUT_MS);
  const argv =
    target.flavor === 'deno'
      ? [
          'run',
          '--allow-net=127.0.0.1',
          '--allow-env=M2M_SMOKE',
          '--no-prompt',
          '--no-config',
          '--no-lock',
          '--no-npm',
          '--quiet',
          file,
        ]
      : target.name === 'bun'
        ? ['--no-install', '--no-env-file', file]
        : [file];
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? tmpdir(),
    M2M_SMOKE: JSON.stringify(config),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_DIR: join(tmpdir(), 'm2m-auth-runtimes-deno'),
    NO_COLOR: '1',
  };
  const { code, stdout, stderr } = await exec(binary, argv, env, join(file, '..'));
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) {
    throw new Error(
      `exit code ${code}, no result line.\n    stderr: ${indent(stderr)}\n    stdout: ${indent(stdout)}`,
    );
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as SmokeResult;
}

function exec(
  binary: string,
  argv: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(binary, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    // A runtime that hangs must not hang the suite.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`timed out after ${RUN_TIMEOUT_MS} ms.\n    stderr: ${indent(stderr)}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

/** A child's output in a problem line: trimmed, indented under it, at most 30 lines. */
const indent = (text: string) => text.trim().split('\n').slice(0, 30).join('\n      ') || '(empty)';
