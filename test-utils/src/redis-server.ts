/**
 * A real `redis-server` for tests: started on a free loopback port with no persistence,
 * stoppable and restartable on the same port (to test outages), closed at the end. Where
 * the binary is missing, `redisServerBinary()` says so loudly, and under `CI=true` throws:
 * CI installs it (`.ci/run`), so a missing server there is a failure, not a skip.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGKILL by default: an outage, not a shutdown); the port stays ours. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing answers, a hung server. */
  freeze(): void;
  /** Thaws a frozen server (SIGCONT). */
  thaw(): void;
  close(): Promise<void>;
}

/** The path of `redis-server`, or `undefined` (with a loud warning) when it is missing. */
export function redisServerBinary(): string | undefined {
  return findBinary('redis-server', 'the Redis store tests');
}

/** A binary on the PATH, or `undefined` with a loud warning; under `CI=true` it throws. */
export function findBinary(name: string, purpose: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  const message = `${name} is not installed: ${purpose} cannot run (apt-get install -y redis-server)`;
  if (process.env['CI'] === 'true') throw new Error(`${message}. Under CI=true this is a failure.`);
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPED: ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function launch(binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)),
    );
  });
}

export async function startRedisServer(binary: string): Promise<RedisServer> {
  let port = await freePort();
  let child: ChildProcess | undefined;
  // The port was free a moment ago; if someone took it meanwhile, try another.
  for (let attempt = 0; !child; attempt++) {
    try {
      child = await launch(binary, port);
    } catch (error) {
      if (attempt >= 3) throw error;
      port = await freePort();
    }
  }
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async start() {
      if (!child) child = await launch(binary, port);
    },
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    close: async () => {
      child?.kill('SIGCONT');
      await stop('SIGTERM');
    },
  };
}
