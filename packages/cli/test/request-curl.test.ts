import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JWT_PATTERN,
  type RunOptions,
  recordingServer,
  runCli,
  runRequest,
  secretEnv,
  sha256,
  unreachableUrl,
  useCliTestServers,
  vendorFlags,
} from './helpers/run-cli.ts';

const servers = useCliTestServers();

/** `m2m-auth request <args>` with the generic profile's token flags and secret. */
const request = (args: string[], options: RunOptions = {}) =>
  runRequest(servers.auth, args, options);
/** What the API's echo route saw of the last body. */
const echoed = (stdout: string) => JSON.parse(stdout) as { method: string; bodySha256: string };

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'm2m-auth-cli-curl-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('m2m-auth request: bodies as curl builds them', () => {
  it('-d @FILE sends the file without CR and LF, --data-binary @FILE every byte, -d @- stdin', async () => {
    const file = join(scratch, 'body.txt');
    await writeFile(file, 'a=1\r\nb=2\n');
    const data = await request(['-s', '-d', `@${file}`, `${servers.api.url}/echo`]);
    expect(echoed(data.stdout)).toMatchObject({ method: 'POST', bodySha256: sha256('a=1b=2') });
    const binary = await request(['-s', '--data-binary', `@${file}`, `${servers.api.url}/echo`]);
    expect(echoed(binary.stdout).bodySha256).toBe(sha256('a=1\r\nb=2\n'));
    const piped = await request(['-s', '-d', '@-', `${servers.api.url}/echo`], {
      stdin: 'from=stdin\n',
    });
    expect(echoed(piped.stdout).bodySha256).toBe(sha256('from=stdin'));
  });

  it('joins repeated -d with &, and --data-raw takes @ literally', async () => {
    const joined = await request(['-s', '-d', 'a=1', '-d', 'b=2', `${servers.api.url}/echo`]);
    expect(echoed(joined.stdout).bodySha256).toBe(sha256('a=1&b=2'));
    const raw = await request(['-s', '--data-raw', '@handle', `${servers.api.url}/echo`]);
    expect(echoed(raw.stdout).bodySha256).toBe(sha256('@handle'));
  });

  it('-d @FILE that cannot be read exits 26 before the API is called, the path not quoted', async () => {
    const missing = join(scratch, 'no-such-file-4c1e');
    const result = await request(['-d', `@${missing}`, `${servers.api.url}/echo`]);
    expect(result).toMatchObject({ code: 26, stdout: '' });
    expect(result.stderr).toBe('m2m-auth: --data @: the file could not be read (ENOENT)\n');
    expect(servers.api.counters.total).toBe(0);
  });

  it('-d @- with --client-secret-stdin is a usage error: stdin can be read once', async () => {
    const args = ['request', '-d', '@-', `${servers.api.url}/echo`, '--client-secret-stdin'];
    const result = await runCli([...args, ...vendorFlags(servers.auth, 'generic').slice(0, 4)], {
      stdin: 'demo-secret\n',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^m2m-auth: a body from @- and --client-secret-stdin both read stdin/,
    );
    expect(servers.auth.stats.total).toBe(0);
  });

  it('--json sends the body as it is, POST, with content-type and accept application/json', async () => {
    const api = await recordingServer({ ok: true });
    try {
      const body = '{"amount": 42}\n';
      const file = join(scratch, 'body.json');
      await writeFile(file, body);
      expect((await request(['-s', '--json', body, `${api.url}/pay`])).code).toBe(0);
      expect((await request(['-s', '--json', `@${file}`, `${api.url}/pay`])).code).toBe(0);
      const mine = ['-s', '--json', '{}', '-H', 'Accept: text/plain', `${api.url}/pay`];
      expect((await request(mine)).code).toBe(0);
      const [text, fromFile, own] = api.received;
      for (const seen of [text, fromFile]) {
        expect(seen).toMatchObject({
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
        });
        expect(seen?.body.toString()).toBe(body);
        expect(seen?.headers.authorization).toMatch(/^Bearer /);
      }
      expect(own?.headers).toMatchObject({
        'content-type': 'application/json',
        accept: 'text/plain',
      });
    } finally {
      await api.close();
    }
  });
});

describe('m2m-auth request: output flags as curl reads them', () => {
  it('-o FILE writes the body there (with -i the head too), -o - to stdout', async () => {
    const file = join(scratch, 'out.json');
    const result = await request(['-o', file, `${servers.api.url}/echo/o`]);
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toMatch(/^HTTP 200 OK\n/);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ path: '/echo/o' });
    const included = await request(['-i', '-o', file, `${servers.api.url}/echo/i`]);
    expect(included).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(file, 'utf8')).toMatch(
      /^HTTP 200 OK\n[\s\S]*\n\n\{"method":"GET","path":"\/echo\/i"/,
    );
    const dash = await request(['-s', '-o', '-', `${servers.api.url}/echo/dash`]);
    expect(JSON.parse(dash.stdout)).toMatchObject({ path: '/echo/dash' });
  });

  it('-o into a directory that does not exist exits 23, the path not quoted', async () => {
    const file = join(scratch, 'no-such-dir-9a7f', 'out.json');
    const result = await request(['-s', '-o', file, `${servers.api.url}/echo`]);
    expect(result).toMatchObject({ code: 23, stdout: '' });
    expect(result.stderr).toBe('m2m-auth: -o: the file could not be written (ENOENT)\n');
  });

  it('-L is accepted (redirects are followed anyway); -sS prints no head, and errors still', async () => {
    const target = encodeURIComponent(`${servers.api.url}/echo/landed`);
    const followed = await request(['-sSL', `${servers.api.url}/redirect?to=${target}`]);
    expect(followed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(followed.stdout)).toMatchObject({ path: '/echo/landed' });
    const failed = await request(['-sS', '--fail', `${servers.api.url}/forbidden`]);
    expect(failed).toMatchObject({ code: 22, stdout: '' });
    expect(failed.stderr).toBe('m2m-auth: the server answered HTTP 403 Forbidden (--fail)\n');
  });
});

describe('m2m-auth request -v', () => {
  it('traces the token request and the request on stderr, every credential masked', async () => {
    const result = await request(['-v', `${servers.api.url}/echo/v`]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ path: '/echo/v' }); // the body alone
    const lines = result.stderr.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '* token request',
        `> POST ${servers.auth.tokenUrl('generic')}`,
        '> authorization: Basic [redacted]',
        `> GET ${servers.api.url}/echo/v`,
        '> authorization: Bearer [redacted]',
        '< HTTP 200 OK',
        '< content-type: application/json',
      ]),
    );
    // Token request first, its answer, then the request and its answer; no plain head too.
    expect(lines.filter((line) => /^[<>] [A-Z]+ /.test(line) || line.startsWith('< HTTP'))).toEqual(
      [
        `> POST ${servers.auth.tokenUrl('generic')}`,
        '< HTTP 200 OK',
        `> GET ${servers.api.url}/echo/v`,
        '< HTTP 200 OK',
      ],
    );
    expect(result.stderr).not.toMatch(JWT_PATTERN);
    expect(result.stderr).not.toContain('demo-secret');
    expect(result.stderr).not.toContain(btoa('demo-client:demo-secret'));
  });

  it('masks a token the API echoes in a response header', async () => {
    const result = await request(['-v', `${servers.api.url}/forbidden-echo`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('< x-echo-authorization: Bearer [redacted]\n');
    expect(result.stderr).not.toMatch(JWT_PATTERN);
    expect(servers.api.requests.at(-1)?.authorization).toMatch(/^Bearer eyJ/); // it was sent
  });
});

describe('m2m-auth request: unreachable', () => {
  it('a token URL that refuses says which host and port, as curl does, and exits 6', async () => {
    const tokenUrl = await unreachableUrl('/oauth/v2/token');
    const args = ['request', `${servers.api.url}/echo`, '--token-url', tokenUrl];
    const result = await runCli([...args, ...vendorFlags(servers.auth, 'generic').slice(2)], {
      env: secretEnv(),
    });
    expect(result).toMatchObject({ code: 6, stdout: '' });
    expect(result.stderr).toBe(
      `m2m-auth: the token endpoint could not be reached: Failed to connect to 127.0.0.1 port ${new URL(tokenUrl).port}: Connection refused\n`,
    );
    expect(servers.api.counters.total).toBe(0);
  });
});

/** A server whose status text and a header carry terminal controls (ESC, BEL, CSI C1). */
async function hostileHeadServer() {
  const server = createNetServer((socket) => {
    socket.once('data', () =>
      socket.end(
        'HTTP/1.1 500 Oops\x1b]0;pwned\x07\x1b[2J\r\n' +
          'x-evil: a\x9b31mb\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno',
        'latin1',
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

describe('m2m-auth request: what the server wrote is escaped for the terminal', () => {
  it('status text and header values in the head, -v, -i and --fail print controls as \\xNN', async () => {
    const hostile = await hostileHeadServer();
    try {
      const outputs = [
        (await request([hostile.url])).stderr,
        (await request(['-v', hostile.url])).stderr,
        (await request(['-i', hostile.url])).stdout,
        (await request(['-f', hostile.url])).stderr,
      ];
      for (const output of outputs) {
        for (const control of ['\u001b', '\u0007', '\u009b']) expect(output).not.toContain(control);
        expect(output).toContain('Oops\\x1b]0;pwned\\x07\\x1b[2J');
      }
      for (const output of outputs.slice(0, 3)) expect(output).toContain('x-evil: a\\x9b31mb');
    } finally {
      hostile.close();
    }
  });
});

describe('m2m-auth request --help', () => {
  it('documents every curl flag it takes', async () => {
    const { stdout } = await runCli(['request', '--help']);
    for (const flag of [
      '-L, --location',
      '-v, --verbose',
      '-s, --silent',
      '-S, --show-error',
      '-o, --output FILE',
      '--json BODY',
      '-d, --data BODY',
      '--data-binary BODY',
      '--data-raw BODY',
      '@FILE',
      '@-',
    ]) {
      expect(stdout).toContain(flag);
    }
  });
});
