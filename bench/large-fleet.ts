/**
 * Section 12 of bench/RESULTS.md: 64 processes (bench/fleet-worker.ts) sharing one
 * redis-server, each sending GETs through fetchAuth to the test-utils resource server at a
 * low rate (RATE per second). Two figures:
 *   - token requests per refresh window with 6-second tokens (goal: 1);
 *   - Redis commands per 1 000 API requests in steady state, once every process holds a
 *     token that is not due (goal: at most 1), counted by redis-server (INFO commandstats).
 * Needs a redis-server binary; without one the section says so.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  redisServerBinary,
  startAuthServer,
  startRedisServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import { Redis } from 'ioredis';

const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
const PROCESSES = 64;
const RATE = 2;
const LIFETIME_S = 6;
const WINDOWS_MS = 30_000;
const STEADY_MS = 15_000;

interface Snapshot {
  calls: number;
  failures: number;
  tokens: number;
  expiresAt: number;
  events: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const next = <T>(worker: ChildProcess) =>
  new Promise<T>((resolve) => worker.once('message', (m) => resolve(m as T)));

/** Commands redis-server has run, by name, leaving out this benchmark's own INFO. */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const stats = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match?.[1] && match[1] !== 'info') stats.set(match[1], Number(match[2]));
  }
  return stats;
}

function difference(after: Map<string, number>, before: Map<string, number>) {
  const delta = new Map<string, number>();
  for (const [name, calls] of after) {
    const added = calls - (before.get(name) ?? 0);
    if (added > 0) delta.set(name, added);
  }
  const total = [...delta.values()].reduce((sum, n) => sum + n, 0);
  const names = [...delta].map(([name, n]) => `${name.toUpperCase()} ${n}`).join(', ') || 'none';
  return { total, names };
}

async function untilTrue(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('large fleet benchmark: timed out');
    await sleep(50);
  }
}

export async function largeFleetBench(): Promise<string> {
  const title = `## 12. m2m-auth: a fleet of ${PROCESSES} processes sharing one Redis`;
  const binary = redisServerBinary();
  if (!binary) return `${title}\n\nSkipped: redis-server is not installed.\n`;
  const redis = await startRedisServer(binary);
  const auth = await startAuthServer();
  const api = await startResourceServer({ authServer: auth });
  const control = new Redis(redis.url);
  auth.control.setLifetime(LIFETIME_S, 'generic');
  const env = {
    ...process.env,
    TOKEN_URL: auth.tokenUrl('generic'),
    REDIS_URL: redis.url,
    API_URL: `${api.url}/echo`,
    RATE: String(RATE),
    DURATION_MS: String(10 * 60_000), // stopped by the parent; the bound if it is not
  };
  const workers = Array.from({ length: PROCESSES }, () =>
    fork(WORKER, [], { execArgv: process.execArgv, env, stdio: 'inherit' }),
  );
  try {
    await Promise.all(workers.map((w) => next(w)));
    const snapshots = () =>
      Promise.all(
        workers.map((w) => {
          const answer = next<Snapshot>(w);
          w.send('count');
          return answer;
        }),
      );
    auth.stats.reset();
    const startCommands = await commandStats(control);
    for (const w of workers) w.send('go');
    await sleep(WINDOWS_MS);

    // The next token lives an hour: once every process uses it, nothing is due.
    auth.control.setLifetime(3600, 'generic');
    const before = auth.stats.total;
    await untilTrue(() => auth.stats.total > before, 2 * LIFETIME_S * 1000);
    // Converged when every process's last call used a token with most of its hour left (an
    // extra token in a window gives some processes one more distinct token than others, so
    // counts alone never agree then).
    const holdsLong = (s: Snapshot) => s.expiresAt - Date.now() > 30 * 60_000;
    let seen = await snapshots();
    for (let tries = 0; !seen.every(holdsLong) && tries < 300; tries++) {
      await sleep(100);
      seen = await snapshots();
    }
    const converged = seen.every(holdsLong);
    const windowRequests = auth.stats.total;
    const windowCommands = difference(await commandStats(control), startCommands);
    const windows = Math.max(...seen.map((s) => s.tokens));

    // Steady state: every process holds the hour-long token.
    const steadyStart = await commandStats(control);
    const apiStart = api.counters.total;
    const tokenStart = auth.stats.total;
    await sleep(STEADY_MS);
    const steadyCommands = difference(await commandStats(control), steadyStart);
    const steadyRequests = api.counters.total - apiStart;
    const steadyTokens = auth.stats.total - tokenStart;

    const finals = await Promise.all(
      workers.map((w) => {
        const report = next<Snapshot>(w);
        w.send('stop');
        return report;
      }),
    );
    const calls = finals.reduce((sum, r) => sum + r.calls, 0);
    const failures = finals.reduce((sum, r) => sum + r.failures, 0);
    const events = new Map<string, number>();
    for (const r of finals)
      for (const [type, n] of Object.entries(r.events))
        events.set(type, (events.get(type) ?? 0) + n);
    const eventList = [...events].map(([type, n]) => `${type} ${n}`).join(', ') || 'none';
    const perWindow = windowRequests / windows;
    const perThousand = (steadyCommands.total / steadyRequests) * 1000;
    return `${title}

${PROCESSES} processes (\`bench/fleet-worker.ts\` with API_URL) start cold together, each sending
${RATE} GETs a second through \`fetchAuth\` (Redis store, AES-256-GCM) to the test-utils resource
server, which verifies every token. For ${WINDOWS_MS / 1000} s the authorization server issues ${LIFETIME_S}-second tokens; then
one that lives an hour, and once every process uses it, ${STEADY_MS / 1000} s of steady state. redis-server counts
the commands (\`INFO commandstats\`, leaving out the benchmark's own \`INFO\`). A window is one
token's life until its refresh-ahead point; windows = the most distinct tokens any one process
used (the hour-long one included).

| | figure | goal |
|---|---:|---|
| API calls, all processes / failed | ${calls} / ${failures} | 0 failed |
| Redis store events, all processes | ${eventList} | none |
| token requests / windows | ${windowRequests} / ${windows} | |
| **token requests per refresh window** | **${perWindow.toFixed(2)}** | 1 ${perWindow <= 1 ? '(met)' : '(missed)'} |
| Redis commands over those windows | ${windowCommands.total} (${windowCommands.names}) | |
| Redis commands per window per process | ${(windowCommands.total / windows / PROCESSES).toFixed(2)} | |
| every process on the hour-long token when the steady state began | ${converged ? 'yes' : '**no** (waited 30 s)'} | |
| steady state: API requests / token requests | ${steadyRequests} / ${steadyTokens} | |
| steady state: Redis commands | ${steadyCommands.total} (${steadyCommands.names}) | |
| **Redis commands per 1 000 API requests, steady state** | **${perThousand.toFixed(2)}** | at most 1 ${perThousand <= 1 ? '(met)' : '(missed)'} |
`;
  } finally {
    for (const w of workers) if (w.connected) w.kill();
    control.disconnect();
    await Promise.all([api.close(), auth.close(), redis.close()]);
  }
}
