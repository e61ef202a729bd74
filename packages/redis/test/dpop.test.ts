import { createTokenProvider } from '@m2m-auth/core';
import { generateDpopKeys, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.ts';
import { CLIENT_KINDS, redisBinary, useRedisServer } from './helpers/redis.ts';

// A fleet sharing one DPoP key shares its DPoP-bound tokens through Redis, type and all.
const redis = useRedisServer();
const closers: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe.skipIf(!redisBinary)('redisStore with DPoP-bound tokens', () => {
  let auth: Awaited<ReturnType<typeof startAuthServer>>;
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterAll(() => auth.close());

  it('hands a DPoP token fetched by one process to another with the same key', async () => {
    const keys = await generateDpopKeys();
    const process = async () => {
      const connection = await (CLIENT_KINDS[0] as (typeof CLIENT_KINDS)[0]).connect(
        redis.server.url,
      );
      closers.push(connection.close);
      return createTokenProvider({
        tokenUrl: auth.tokenUrl('dpop'),
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        dpop: { keyPair: { privateKey: keys.privateKey, publicKey: keys.publicKey } },
        store: redisStore(connection.client, { encryptionKey: Buffer.alloc(32, 7) }),
      });
    };
    const [one, two] = [await process(), await process()];
    const first = await one.getToken();
    const second = await two.getToken();
    // The same token; its expiry in the reader's own time (Redis' PTTL), within a few ms.
    expect({ ...second, expiresAt: 0 }).toEqual({ ...first, expiresAt: 0 });
    expect(Math.abs(second.expiresAt - first.expiresAt)).toBeLessThan(1000);
    expect(second.tokenType).toBe('DPoP');
    expect(auth.stats.issued).toBe(1);
  });
});
