/**
 * A real Redis Cluster for tests: three masters (no replicas) on free loopback ports, no
 * persistence, their `nodes-<port>.conf` in a temporary directory, joined with
 * `redis-cli --cluster create` and ready once every node reports `cluster_state:ok`.
 * `redisCliBinary()` skips loudly where `redis-cli` is missing, and throws under `CI=true`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary, freePort } from './redis-server.ts';

const run = promisify(execFile);

export interface RedisCluster {
  /** `{ host: '127.0.0.1', port }` of each master. */
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  close(): Promise<void>;
}

/** The path of `redis-cli`, or `undefined` (with a loud warning) when it is missing. */
export function redisCliBinary(): string | undefined {
  return findBinary('redis-cli', 'Redis Cluster tests');
}

function launchNode(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
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
      reject(
        new Error(`redis-server (cluster) exited with ${code} before it was ready:\n${output}`),
      ),
    );
  });
}

async function clusterOk(cli: string, port: number): Promise<boolean> {
  const { stdout } = await run(cli, ['-p', String(port), 'cluster', 'info']);
  return stdout.includes('cluster_state:ok');
}

export async function startRedisCluster(server: string, cli: string): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'm2m-auth-cluster-'));
  const children: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    while (ports.length < 3) {
      const port = await freePort();
      // Cluster nodes also listen on port + 10000 (the bus): both must be free.
      if (port > 55_000 || ports.includes(port)) continue;
      ports.push(port);
    }
    for (const port of ports) children.push(await launchNode(server, port, dir));
    await run(cli, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(ports.map((port) => clusterOk(cli, port)));
      if (states.every(Boolean)) break;
      if (Date.now() > deadline)
        throw new Error('the Redis Cluster never reached cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), close };
  } catch (error) {
    await close();
    throw error;
  }
}
