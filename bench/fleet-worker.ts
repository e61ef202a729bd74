/**
 * One process of the fleet benchmarks (bench/fleet.ts, bench/large-fleet.ts): a provider with
 * the Redis store (when REDIS_URL is set) or the default memory store, calling `getToken()`
 * (or, with API_URL set, sending a GET through fetchAuth) at RATE per second for DURATION_MS
 * after the parent says go, or until it says 'stop'. Sends `{ calls, failures, tokens, expiresAt, events }` when done, and a snapshot of
 * them whenever the parent sends 'count'; `tokens` is how many distinct tokens it used: one
 * per expiry window it lived through.
 */
import { createTokenProvider, type TokenStore } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { redisStore } from '@m2m-auth/redis';
import { Redis } from 'ioredis';

const { TOKEN_URL, REDIS_URL, API_URL, DURATION_MS = '12000', RATE = '20' } = process.env;
const redis = REDIS_URL ? new Redis(REDIS_URL) : undefined;
redis?.on('error', () => undefined);
/** The store's events by type (Redis timing out under load shows here). */
const events: Record<string, number> = {};
const store: TokenStore | undefined = redis
  ? redisStore(redis, {
      encryptionKey: new Uint8Array(32),
      onEvent: (event) => {
        events[event.type] = (events[event.type] ?? 0) + 1;
      },
    })
  : undefined;
const tokens = createTokenProvider({
  tokenUrl: TOKEN_URL as string,
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  ...(store ? { store } : {}),
});
const api = API_URL ? fetchAuth(tokens, { origins: [new URL(API_URL).origin] }) : undefined;

const seen = new Set<string>();
let calls = 0;
let failures = 0;
/** When the token the last call used expires: the parent waits until every process holds a long one. */
let expiresAt = 0;
const snapshot = () => ({ calls, failures, tokens: seen.size, expiresAt, events });

async function call(): Promise<void> {
  if (api) {
    const response = await api(API_URL as string);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }
  // Served from the process's own copy: the token the call above used.
  const token = await tokens.getToken();
  seen.add(token.accessToken);
  expiresAt = token.expiresAt;
}

let until = Number.POSITIVE_INFINITY;
const go = new Promise((resolve) =>
  process.on('message', (message) => {
    if (message === 'count') process.send?.(snapshot());
    else if (message === 'stop') until = 0;
    else resolve(message);
  }),
);
process.send?.('ready');
await go;
until = Math.min(until, Date.now() + Number(DURATION_MS));
while (Date.now() < until) {
  try {
    await call();
  } catch {
    failures++;
  }
  calls++;
  await new Promise((resolve) => setTimeout(resolve, 1000 / Number(RATE)));
}
process.send?.(snapshot());
redis?.disconnect();
process.disconnect?.();
