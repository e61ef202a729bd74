/**
 * Runs the real `m2m-auth` binary in a child process, from source (the `@m2m-auth/source`
 * condition), with a clean environment so nothing from the developer's shell leaks in.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AuthServer, ProfileName } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import { vi } from 'vitest';

const BIN = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed (empty by default). */
  stdin?: string;
  /** Another copy of `src/bin.ts` to run (see install-without-demo.ts). */
  bin?: string;
  cwd?: string;
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const bin = options.bin ?? BIN;
    const child = spawn(process.execPath, ['--conditions=@m2m-auth/source', bin, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // A command may exit without reading stdin; writing to it then fails with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The test servers for a file that runs the binary, with a timeout to match: a test may start
 * it several times, about a second each on a busy machine (Node strips the types of the whole
 * source graph every time).
 */
export function useCliTestServers() {
  vi.setConfig({ testTimeout: 30_000 });
  return useTestServers();
}

/** The environment variable the tests pass the secret in. */
export const SECRET_ENV = 'TEST_CLIENT_SECRET';

/**
 * Each seed vendor's flags for the test authorization server, with the default client and
 * the secret in `SECRET_ENV`: the configurations the `--help` examples show.
 */
export function vendorFlags(auth: AuthServer, profile: ProfileName): string[] {
  const base = ['--token-url', auth.tokenUrl(profile), '--client-id', 'demo-client'];
  const secret = ['--client-secret-env', SECRET_ENV];
  switch (profile) {
    case 'cognito':
      return [...base, ...secret, '--client-id-in-body'];
    case 'tenant':
      return [...base, ...secret, '--auth', 'post', '--scope', 'tenant/acme'];
    default:
      return [...base, ...secret];
  }
}

export const secretEnv = (secret = 'demo-secret') => ({ [SECRET_ENV]: secret });

/** `m2m-auth request <args>` with the generic profile's token flags and the secret. */
export const runRequest = (auth: AuthServer, args: readonly string[], options: RunOptions = {}) =>
  runCli(['request', ...args, ...vendorFlags(auth, 'generic')], { env: secretEnv(), ...options });

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A JWT's shape, to prove no token reached an output it must not reach. */
export const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\./;

/** A loopback URL nothing listens on: a port the OS just handed out and took back. */
export async function unreachableUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

export interface ReceivedRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback HTTP server that records every request and answers each with `json`. */
export async function recordingServer(json: unknown) {
  const received: ReceivedRequest[] = [];
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

/** A token endpoint that issues opaque (non-JWT) tokens and records what it received. */
export async function opaqueTokenServer(accessToken: string) {
  const server = await recordingServer({
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: 60,
  });
  return {
    tokenUrl: `${server.url}/token`,
    get received() {
      return server.received.map(({ headers, body }) => ({
        authorization: headers.authorization,
        form: new URLSearchParams(body.toString()),
      }));
    },
    close: server.close,
  };
}
