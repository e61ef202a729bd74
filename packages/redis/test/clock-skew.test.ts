/**
 * Processes whose clocks differ by an hour share tokens through Redis: each reads a shared
 * entry in its own time (Redis' PTTL), never in the writer's.
 */
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createTokenProvider } from '@m2m-auth/core';
import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.ts';
import { CLIENT_KINDS, redisBinary, useRedisServer } from './helpers/redis.ts';

const WORKER = fileURLToPath(new URL('./fixtures/clock-worker.ts', import.meta.url));
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString('base64');
const HOUR = 3_600_000;
const LIFETIME_S = 3;

const redis = useRedisServer();
let auth: AuthServer;
const closers: Array<() => unknown> = [];
beforeAll(async () => {
  auth = await startAuthServer();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  auth.stats.reset();
  auth.control.resetLifetimes();
});
afterAll(() => auth.close());

/** A token got by a process whose clock is `offsetMs` off. */
function tokenFromSkewedProcess(offsetMs: number) {
  const child = fork(WORKER, [], {
    execArgv: ['--conditions=@m2m-auth/source'],
    env: {
      ...process.env,
      REDIS_URL: redis.server.url,
      TOKEN_URL: auth.tokenUrl('generic'),
      ENCRYPTION_KEY,
      CLOCK_OFFSET_MS: String(offsetMs),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<{ accessToken: string; expiresInMs: number }>((resolve, reject) => {
    child.once('message', resolve as (m: unknown) => void);
    child.once('exit', (code) => reject(new Error(`clock worker exited with ${code}`)));
  });
}

async function localProvider() {
  const connection = await (CLIENT_KINDS[0] as (typeof CLIENT_KINDS)[0]).connect(redis.server.url);
  closers.push(connection.close);
  return createTokenProvider({
    tokenUrl: auth.tokenUrl('generic'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    store: redisStore(connection.client, { encryptionKey: ENCRYPTION_KEY }),
  });
}

describe.skipIf(!redisBinary)('redisStore across clocks an hour apart', { timeout: 20_000 }, () => {
  it("never serves a token past its expiry because the writer's clock was an hour fast", async () => {
    auth.control.setLifetime(LIFETIME_S);
    const written = await tokenFromSkewedProcess(HOUR);
    const tokens = await localProvider();
    const read = await tokens.getToken();
    expect(read.accessToken).toBe(written.accessToken);
    expect(auth.stats.total).toBe(1);
    // Its expiry in this process's time: seconds away, not an hour.
    expect(read.expiresAt - Date.now()).toBeLessThanOrEqual(LIFETIME_S * 1000);
    await sleep(LIFETIME_S * 1000); // the token has expired by now, whatever the writer thought
    const next = await tokens.getToken();
    expect(next.accessToken).not.toBe(written.accessToken);
    expect(auth.stats.total).toBe(2);
  });

  it('lets a process an hour fast use the token another process wrote, without a token request', async () => {
    auth.control.setLifetime(60);
    const written = await (await localProvider()).getToken();
    const read = await tokenFromSkewedProcess(HOUR);
    expect(read.accessToken).toBe(written.accessToken);
    expect(auth.stats.total).toBe(1);
    expect(read.expiresInMs).toBeGreaterThan(30_000);
    expect(read.expiresInMs).toBeLessThanOrEqual(60_000);
  });
});
