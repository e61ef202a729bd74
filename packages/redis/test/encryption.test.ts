import { ConfigError } from '@m2m-auth/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisStoreEvent, redisStore } from '../src/index.ts';
import { entry } from './helpers/entries.ts';
import { CLIENT_KINDS, redisBinary, useRedisServer } from './helpers/redis.ts';

const redis = useRedisServer();
const closers: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const RAW_KEY = 'm2m-auth:token:{k}';

async function client() {
  const connection = await (CLIENT_KINDS[0] as (typeof CLIENT_KINDS)[0]).connect(redis.server.url);
  closers.push(connection.close);
  return connection.client;
}

async function storeWith(options: Parameters<typeof redisStore>[1] = {}) {
  const events: RedisStoreEvent[] = [];
  const store = redisStore(await client(), { ...options, onEvent: (e) => events.push(e) });
  return { store, events };
}

describe.skipIf(!redisBinary)('redisStore encryption at rest', () => {
  it('writes nothing a reader without the key can use: no token, no JSON', async () => {
    const { store } = await storeWith({ encryptionKey: KEY_A });
    await store.set('k', entry(TOKEN), 45_000);
    const raw = (await redis.admin.get(RAW_KEY)) as string;
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain('accessToken');
    expect(raw).not.toContain('{"'); // (not "no eyJ": random ciphertext holds it now and then)
    expect(raw).toMatch(/^[\w-]{43}\.e\.[\w-]+\.[\w-]{16}\.[\w-]+$/);
    const { store: reader } = await storeWith({ encryptionKey: KEY_A });
    expect((await reader.get('k'))?.token.accessToken).toBe(TOKEN);
  });

  it('uses a fresh IV for every write of the very same entry', async () => {
    const { store } = await storeWith({ encryptionKey: KEY_A });
    const same = entry(TOKEN);
    await store.set('k', same, 45_000);
    const first = ((await redis.admin.get(RAW_KEY)) as string).split('.');
    await store.set('k', same, 45_000);
    const second = ((await redis.admin.get(RAW_KEY)) as string).split('.');
    expect(second[3]).not.toBe(first[3]); // the IV
    expect(second[4]).not.toBe(first[4]); // hence the ciphertext
  });

  it('treats an entry sealed with another key as a miss, with an event, not a crash', async () => {
    await (await storeWith({ encryptionKey: KEY_A })).store.set('k', entry(TOKEN), 45_000);
    const other = await storeWith({ encryptionKey: KEY_B });
    expect(await other.store.get('k')).toBeUndefined();
    const same = await storeWith({ encryptionKey: { id: 'x', key: KEY_B } });
    await (await storeWith({ encryptionKey: { id: 'x', key: KEY_A } })).store.set(
      'k',
      entry(TOKEN),
      45_000,
    );
    expect(await same.store.get('k')).toBeUndefined();
    expect([...other.events, ...same.events]).toEqual([
      { type: 'redis_entry_skipped', key: 'k', reason: 'unknown-key' },
      { type: 'redis_entry_skipped', key: 'k', reason: 'unreadable' },
    ]);
  });

  it('reads entries of a previous key during a rotation, and writes with the new one', async () => {
    await (await storeWith({ encryptionKey: KEY_A })).store.set('k', entry(TOKEN), 45_000);
    const { store } = await storeWith({ encryptionKey: KEY_B, decryptionKeys: [KEY_A] });
    expect((await store.get('k'))?.token.accessToken).toBe(TOKEN);
    await store.set('k', entry(TOKEN), 45_000);
    const { store: newOnly } = await storeWith({ encryptionKey: KEY_B });
    expect((await newOnly.get('k'))?.token.accessToken).toBe(TOKEN);
  });

  it('refuses tampered, moved, plaintext and garbage entries as misses', async () => {
    await (await storeWith({ encryptionKey: KEY_A })).store.set('k', entry(TOKEN), 45_000);
    // Another process, with the same key and nothing local yet, reads what Redis holds.
    const { store, events } = await storeWith({ encryptionKey: KEY_A });
    const sealed = (await redis.admin.get(RAW_KEY)) as string;
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.at(-1);
    const plain = (await storeWith()).store;
    await plain.set('plain', entry(TOKEN), 45_000);
    await redis.admin.set(RAW_KEY, flipped);
    await redis.admin.set('m2m-auth:token:{moved}', sealed); // sealed for 'k', not for 'moved'
    await redis.admin.set('m2m-auth:token:{garbage}', 'not an entry');
    for (const key of ['k', 'moved', 'plain', 'garbage'])
      expect(await store.get(key)).toBeUndefined();
    expect(events.map((e) => (e.type === 'redis_entry_skipped' ? e.reason : e.type))).toEqual([
      'unreadable',
      'unreadable',
      'unreadable',
      'malformed',
    ]);
  });

  it('stores plaintext entries without a key, and refuses malformed JSON in them', async () => {
    await (await storeWith()).store.set('k', entry(TOKEN), 45_000);
    const { store, events } = await storeWith();
    expect(await redis.admin.get(RAW_KEY)).toMatch(/^[\w-]{43}\.p\.\{"token":/);
    const hash = ((await redis.admin.get(RAW_KEY)) as string).slice(0, 43);
    await redis.admin.set(RAW_KEY, `${hash}.p.{"token":{"accessToken":""}}`);
    expect(await store.get('k')).toBeUndefined();
    expect(events).toEqual([{ type: 'redis_entry_skipped', key: 'k', reason: 'malformed' }]);
  });
});

describe('redisStore encryption keys', () => {
  const client = { call: async () => null };
  it('refuses a key that is not 32 bytes, or a bad key id, at construction', () => {
    expect(() =>
      redisStore(client, { encryptionKey: Buffer.alloc(31).toString('base64') }),
    ).toThrow(ConfigError);
    expect(() => redisStore(client, { encryptionKey: new Uint8Array(16) })).toThrow(/32 bytes/);
    expect(() => redisStore(client, { encryptionKey: '%%%not base64%%%' })).toThrow(ConfigError);
    expect(() => redisStore(client, { encryptionKey: { id: 'a.b', key: KEY_A } })).toThrow(/id/);
    expect(() => redisStore(client, { encryptionKey: KEY_A, decryptionKeys: ['short'] })).toThrow(
      /decryptionKeys/,
    );
    expect(() => redisStore(client, { decryptionKeys: [KEY_A] })).toThrow(/need an encryptionKey/);
    expect(() =>
      redisStore(client, {
        encryptionKey: { id: 'k1', key: KEY_A },
        decryptionKeys: [{ id: 'k1', key: KEY_B }],
      }),
    ).toThrow(/unique/);
    expect(() => redisStore(client, { encryptionKey: new Uint8Array(32) })).not.toThrow();
  });

  it('refuses a CryptoKey that cannot seal and open AES-256-GCM entries', async () => {
    const gcm = (length: number, usages: KeyUsage[]) =>
      crypto.subtle.generateKey({ name: 'AES-GCM', length }, false, usages) as Promise<CryptoKey>;
    const decryptOnly = await gcm(256, ['decrypt']);
    const short = await gcm(128, ['encrypt', 'decrypt']);
    const cbc = (await crypto.subtle.generateKey({ name: 'AES-CBC', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ])) as CryptoKey;
    for (const key of [decryptOnly, short, cbc]) {
      expect(() => redisStore(client, { encryptionKey: { id: 'k', key } })).toThrow(ConfigError);
    }
    const good = await gcm(256, ['encrypt', 'decrypt']);
    expect(() => redisStore(client, { encryptionKey: { id: 'k', key: good } })).not.toThrow();
  });
});
