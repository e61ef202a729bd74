/**
 * A token's `extras` (Salesforce's `instance_url` and the like) travel through Redis with the
 * token, sealed like it; read back, they pass core's own bounds, so whoever can write to
 * Redis cannot hand a fleet oversized, deep or prototype-polluting extras, or crash a reader.
 */
import { describe, expect, it } from 'vitest';
import { useProcesses } from './helpers/processes.ts';
import { redisBinary, useRedisServer } from './helpers/redis.ts';

const redis = useRedisServer();
const processes = useProcesses(redis);
const process = processes.start;
const KEY = Buffer.alloc(32, 7).toString('base64');
const SALESFORCE_MEMBERS = {
  signature: 'ZGVhZGJlZWZkZWFkYmVlZmRlYWRiZWVmZGVhZGJlZWY=',
  instance_url: 'https://acme.my.salesforce.com',
  id: 'https://login.salesforce.com/id/00D5g000004abcdEAA/0055g00000AbCdEAAV',
  issued_at: '1765000000000',
};

/** The one token entry in Redis: its key, and its plaintext label and JSON. */
async function plaintextEntry() {
  const [key] = await redis.admin.keys('m2m-auth:token:*');
  const value = (await redis.admin.get(key as string)) as string;
  const [label, kind] = value.split('.', 2);
  expect(kind).toBe('p');
  return { key: key as string, label, json: JSON.parse(value.slice(`${label}.p.`.length)) };
}

describe.skipIf(!redisBinary)('redisStore and token extras', () => {
  it.each([
    ['sealed', { encryptionKey: KEY }],
    ['in the clear', {}],
  ])("shares a token's extras between processes, %s", async (_name, storeOptions) => {
    processes.auth.control.inject({
      type: 'members',
      set: SALESFORCE_MEMBERS,
      omit: ['expires_in'],
    });
    const first = await (await process(storeOptions)).tokens.getToken();
    expect(first.extras).toStrictEqual(SALESFORCE_MEMBERS);

    const other = await process(storeOptions);
    const shared = await other.tokens.getToken();
    expect(processes.auth.stats.total).toBe(1); // read from Redis, not asked for again
    expect(shared.accessToken).toBe(first.accessToken);
    expect(shared.extras).toStrictEqual(SALESFORCE_MEMBERS);
    expect(Object.isFrozen(shared.extras)).toBe(true);
    expect(other.events).toEqual([]);
    const [key] = await redis.admin.keys('m2m-auth:token:*');
    const raw = (await redis.admin.get(key as string)) as string;
    if ('encryptionKey' in storeOptions) expect(raw).not.toContain('salesforce');
    else expect(raw).toContain('"instance_url":"https://acme.my.salesforce.com"');
  });

  it('reads back only the extras core would keep from an entry forged into Redis', async () => {
    processes.auth.control.inject({
      type: 'members',
      set: { instance_url: 'https://acme.example' },
    });
    await (await process()).tokens.getToken();
    const { key, label, json } = await plaintextEntry();
    json.token.extras = {
      instance_url: 'https://evil.example',
      access_token: 'forged-inside-extras',
      deep: [[[[[1]]]]],
      huge: 'x'.repeat(20_000),
      notes: { ok: true },
    };
    const forged = JSON.stringify(json).replace('"notes"', '"__proto__":{"polluted":true},"notes"');
    await redis.admin.set(key, `${label}.p.${forged}`, 'KEEPTTL');

    const reader = await process();
    const token = await reader.tokens.getToken();
    expect(processes.auth.stats.total).toBe(1);
    expect(token.extras).toStrictEqual({
      instance_url: 'https://evil.example', // whoever writes Redis in the clear owns the token too
      notes: { ok: true },
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(reader.events).toEqual([]);
  });

  it.each([
    ['a string', '"instance_url=https://evil.example"'],
    ['an array', '["https://evil.example"]'],
    ['null', 'null'],
    ['a number', '42'],
  ])(
    'takes an entry whose extras are %s for a miss, with an event, not a crash',
    async (_name, extras) => {
      await (await process()).tokens.getToken();
      const { key, label, json } = await plaintextEntry();
      const forged = JSON.stringify({ ...json, token: { ...json.token, extras: '$' } }).replace(
        '"$"',
        extras,
      );
      await redis.admin.set(key, `${label}.p.${forged}`, 'KEEPTTL');

      const reader = await process();
      const token = await reader.tokens.getToken();
      expect(token.accessToken).toEqual(expect.any(String));
      expect('extras' in token).toBe(false);
      expect(processes.auth.stats.total).toBe(2); // the forged entry was not used
      expect(reader.events).toContainEqual({
        type: 'redis_entry_skipped',
        key: expect.any(String),
        reason: 'malformed',
      });
    },
  );
});
