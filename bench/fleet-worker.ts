/**
 * One process of the fleet benchmark (bench/fleet.ts): a provider with the Redis store (when
 * REDIS_URL is set) or the default memory store, calling `getToken()` at RATE per second
 * for DURATION_MS after the parent says go. Prints `{ calls, failures, tokens }` on exit,
 * `tokens` being how many distinct tokens it used: one per expiry window it lived through.
 */
import { createTokenProvider, type TokenStore } from '@m2m-auth/core';
import { redisStore } from '@m2m-auth/redis';
import { Redis } from 'ioredis';

const { TOKEN_URL, REDIS_URL, DURATION_MS = '12000', RATE = '20' } = process.env;
const redis = REDIS_URL ? new Redis(REDIS_URL) : undefined;
redis?.on('error', () => undefined);
const store: TokenStore | undefined = redis
  ? redisStore(redis, { encryptionKey: new Uint8Array(32) })
  : undefined;
const tokens = createTokenProvider({
  tokenUrl: TOKEN_URL as string,
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  ...(store ? { store } : {}),
});

process.send?.('ready');
await new Promise((resolve) => process.once('message', resolve));
const seen = new Set<string>();
let calls = 0;
let failures = 0;
const until = Date.now() + Number(DURATION_MS);
while (Date.now() < until) {
  try {
    seen.add((await tokens.getToken()).accessToken);
  } catch {
    failures++;
  }
  calls++;
  await new Promise((resolve) => setTimeout(resolve, 1000 / Number(RATE)));
}
process.send?.({ calls, failures, tokens: seen.size });
redis?.disconnect();
process.disconnect?.();
