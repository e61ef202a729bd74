/**
 * A fleet of real Node processes (test/fixtures/fleet-worker.ts), each with its own Redis
 * client, provider and fetch adapter, driven over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from '../fixtures/fleet-worker.ts';

export type BurstResult = Extract<FromWorker, { type: 'burst-done' }>;

export interface Worker {
  readonly process: ChildProcess;
  /** Store events this worker reported, in order. */
  readonly events: string[];
  /** Resolves the next time this worker takes the Redis lock. */
  nextLock(): Promise<void>;
}

export interface Fleet {
  readonly workers: Worker[];
  /** `requests` concurrent calls in every live worker at once; the answers of those that live. */
  burst(requests: number, path: string): Promise<BurstResult[]>;
  /** Resolves once every live worker's own Redis client answers PING and its store uses Redis. */
  redisReachable(): Promise<void>;
  close(): Promise<void>;
}

const WORKER = fileURLToPath(new URL('../fixtures/fleet-worker.ts', import.meta.url));

export interface FleetOptions {
  size: number;
  redisUrl: string;
  tokenUrl: string;
  apiUrl: string;
  encryptionKey: string;
  lockTtlMs?: number;
}

function startWorker(
  options: FleetOptions,
  index: number,
): Promise<Worker & { next(): Promise<FromWorker> }> {
  const child = fork(WORKER, [], {
    execArgv: ['--conditions=@m2m-auth/source'],
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl,
      // Half the fleet on ioredis, half on node-redis: both clients share one token.
      REDIS_CLIENT: index % 2 === 0 ? 'ioredis' : 'redis',
      TOKEN_URL: options.tokenUrl,
      API_URL: options.apiUrl,
      ENCRYPTION_KEY: options.encryptionKey,
      LOCK_TTL_MS: String(options.lockTtlMs ?? 5000),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const events: string[] = [];
  const inbox: FromWorker[] = [];
  const waiting: Array<(message: FromWorker) => void> = [];
  const lockWaiters: Array<() => void> = [];
  child.on('message', (message: FromWorker) => {
    if (message.type === 'store-event') events.push(message.event);
    else if (message.type === 'lock-held') for (const wake of lockWaiters.splice(0)) wake();
    else {
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    }
  });
  const next = () =>
    new Promise<FromWorker>((resolve, reject) => {
      const queued = inbox.shift();
      if (queued) return resolve(queued);
      waiting.push(resolve);
      child.once('exit', (code, signal) =>
        reject(new Error(`worker ${index} exited (${code ?? signal}) before answering`)),
      );
    });
  const worker = {
    process: child,
    events,
    next,
    nextLock: () => new Promise<void>((resolve) => lockWaiters.push(resolve)),
  };
  return next().then((ready) => {
    if (ready.type !== 'ready') throw new Error(`worker ${index} did not start: ${ready.type}`);
    return worker;
  });
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const workers = await Promise.all(
    Array.from({ length: options.size }, (_, i) => startWorker(options, i)),
  );
  const live = () =>
    workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null);
  return {
    workers,
    async burst(requests, path) {
      const targets = live();
      const answers = targets.map((w) => w.next());
      for (const w of targets) w.process.send({ type: 'burst', requests, path } satisfies ToWorker);
      const settled = await Promise.allSettled(answers);
      return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value as BurstResult] : []));
    },
    async redisReachable() {
      const targets = live();
      const answers = targets.map((w) => w.next());
      for (const w of targets) w.process.send({ type: 'ping-redis' } satisfies ToWorker);
      await Promise.all(answers);
    },
    async close() {
      await Promise.all(
        live().map(
          (w) =>
            new Promise<void>((resolve) => {
              w.process.once('exit', () => resolve());
              w.process.send({ type: 'exit' } satisfies ToWorker);
              setTimeout(() => w.process.kill('SIGKILL'), 2000).unref();
            }),
        ),
      );
    },
  };
}
