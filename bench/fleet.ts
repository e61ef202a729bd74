/**
 * Issue 5's benchmarks, as markdown for bench/RESULTS.md:
 *   - token requests per expiry window for a fleet of N processes (N = 1, 4, 16), with the
 *     memory store (each process on its own) and with the Redis store (goal: 1 for any N);
 *   - what a cached `getToken()` costs through the Redis store vs the memory store, and
 *     what one read through to Redis costs (once per process per window).
 * Needs a redis-server binary; without one the section says so.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTokenProvider, memoryStore, type TokenStore } from '@m2m-auth/core';
import { redisStore } from '@m2m-auth/redis';
import {
  type AuthServer,
  type RedisServer,
  redisServerBinary,
  startAuthServer,
  startRedisServer,
} from '@m2m-auth/test-utils';
import { Redis } from 'ioredis';

const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
const LIFETIME_S = 3;
const DURATION_MS = 12_000;

interface WorkerReport {
  calls: number;
  failures: number;
  tokens: number;
}

async function runFleet(auth: AuthServer, size: number, redisUrl: string | undefined) {
  auth.stats.reset();
  const env = {
    ...process.env,
    TOKEN_URL: auth.tokenUrl('generic'),
    DURATION_MS: String(DURATION_MS),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
  const workers = Array.from({ length: size }, () =>
    fork(WORKER, [], { execArgv: process.execArgv, env, stdio: 'inherit' }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const reports = workers.map(
    (w) => new Promise<WorkerReport>((resolve) => w.once('message', resolve)),
  );
  for (const w of workers) w.send('go');
  const done = await Promise.all(reports);
  const windows = Math.max(...done.map((r) => r.tokens));
  return {
    size,
    store: redisUrl ? 'Redis' : 'memory',
    requests: auth.stats.total,
    windows,
    perWindow: auth.stats.total / windows,
    calls: done.reduce((sum, r) => sum + r.calls, 0),
    failures: done.reduce((sum, r) => sum + r.failures, 0),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

/** µs per call of `call`, median of 7 rounds of `n` sequential awaited calls. */
async function microsPerCall(call: () => unknown, n: number): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 8; round++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) await call();
    if (round > 0) rounds.push(((performance.now() - started) * 1000) / n);
  }
  return median(rounds);
}

async function latency(auth: AuthServer, redis: RedisServer) {
  const client = new Redis(redis.url);
  const provider = (store: TokenStore) =>
    createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      store,
    });
  const shared = redisStore(client, { encryptionKey: new Uint8Array(32) });
  const viaRedis = provider(shared);
  const viaMemory = provider(memoryStore());
  await Promise.all([viaRedis.getToken(), viaMemory.getToken()]);
  // What a process pays to read a token through Redis (GET and decrypt): a store with nothing
  // local reads entries another store wrote, each key once.
  // Times in the order core writes them (the store refuses others as malformed), inside the
  // token's life so every read is a hit.
  const token = await viaMemory.getToken();
  const obtainedAt = Date.now();
  const entry = { token, obtainedAt, refreshAt: obtainedAt, staleAt: token.expiresAt };
  const reads = 2000;
  const memory = await microsPerCall(() => viaMemory.getToken(), 100_000);
  const redisCached = await microsPerCall(() => viaRedis.getToken(), 100_000);
  // This measures a read, not the breaker: in the full run the heap that tables 1-8 leave
  // behind can pause this process past the 500 ms command timeout, and a store whose breaker
  // is open skips writes and reads (a write loop then skips every entry left). So the entries
  // are written and read by stores with a timeout no pause reaches, after a full collection,
  // and their events say why if a read still misses.
  globalThis.gc?.();
  const events: string[] = [];
  const patient = () =>
    redisStore(client, {
      encryptionKey: new Uint8Array(32),
      commandTimeoutMs: 10_000,
      onEvent: (event) => events.push(event.type),
    });
  // Written right before they are read: the two rounds above may outlast their 60 s.
  const writer = patient();
  for (let i = 0; i < reads * 8; i++) await writer.set(`read-${i}`, entry, 60_000);
  const reader = patient();
  let next = 0;
  let misses = 0;
  const result = {
    memory,
    redisCached,
    redisRead: await microsPerCall(async () => {
      if ((await reader.get(`read-${next++}`)) === undefined) misses++;
    }, reads),
  };
  // A read that found nothing (a timeout, the breaker open) measures no read at all.
  if (misses > 0) {
    const seen = [...new Set(events)].join(', ') || 'none';
    throw new Error(`Redis read benchmark: ${misses} reads found no entry (store events: ${seen})`);
  }
  client.disconnect();
  return result;
}

export async function fleetBench(): Promise<string> {
  const binary = redisServerBinary();
  if (!binary) return '## 9. m2m-auth fleet over time\n\nSkipped: redis-server is not installed.\n';
  const redis = await startRedisServer(binary);
  const auth = await startAuthServer();
  auth.control.setLifetime(LIFETIME_S, 'generic');
  const rows = [];
  for (const size of [1, 4, 16]) {
    rows.push(await runFleet(auth, size, undefined));
    rows.push(await runFleet(auth, size, redis.url));
  }
  auth.control.setLifetime(3600, 'generic'); // tokens that outlive the latency rounds
  const cost = await latency(auth, redis);
  await Promise.all([auth.close(), redis.close()]);
  return `## 9. m2m-auth fleet over time: token requests per expiry window

N processes (\`bench/fleet-worker.ts\`) start cold together and call \`getToken()\` 20
times a second each for ${DURATION_MS / 1000} s, against the test-utils authorization server issuing
${LIFETIME_S}-second tokens. A window is the life of one token until its refresh-ahead point;
windows = the most distinct tokens any one process used; per window = token requests /
windows. Goal with the Redis store: 1 per window for any N.

| processes | store | calls | failed | token requests | windows | per window |
|---:|---|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.size} | ${r.store} | ${r.calls} | ${r.failures} | ${r.requests} | ${r.windows} | **${r.perWindow.toFixed(2)}** |`).join('\n')}

## 10. Redis store latency

Median µs per awaited call (loopback redis-server, AES-256-GCM on).

| | µs per call |
|---|---:|
| cached \`getToken()\`, memory store | ${cost.memory.toFixed(2)} |
| cached \`getToken()\`, Redis store (served from the local copy) | ${cost.redisCached.toFixed(2)} |
| a read through to Redis: \`GET\` + decrypt (once per process per window, or on a miss) | ${cost.redisRead.toFixed(1)} |
`;
}
