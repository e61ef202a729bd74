import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { reviveExtras, tokenExtras } from '../src/token-extras.ts';
import { nockProvider, useNock } from './helpers/nock-provider.ts';

/** A Salesforce client-credentials answer, as its help pages show it: no `expires_in`. */
const SALESFORCE_MEMBERS = {
  signature: 'ZGVhZGJlZWZkZWFkYmVlZmRlYWRiZWVmZGVhZGJlZWY=',
  instance_url: 'https://acme.my.salesforce.com',
  id: 'https://login.salesforce.com/id/00D5g000004abcdEAA/0055g00000AbCdEAAV',
  issued_at: '1765000000000',
};

describe('tokenExtras', () => {
  it('keeps the members core does not read, in order, and nothing core reads or never keeps', () => {
    expect(
      tokenExtras({
        access_token: 'tok',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'api',
        refresh_in: 1800,
        refresh_token: 'a-refresh-token',
        id_token: 'an-id-token',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        ext_expires_in: 3599,
        nested: { list: [1, 'two', null, true] },
      }),
    ).toStrictEqual({
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      ext_expires_in: 3599,
      nested: { list: [1, 'two', null, true] },
    });
  });

  it('gives undefined when there is nothing to keep', () => {
    expect(tokenExtras({ access_token: 'tok', expires_in: 60 })).toBeUndefined();
    expect(tokenExtras({})).toBeUndefined();
  });

  it('freezes the copy all the way down, and it is a copy', () => {
    const body = { nested: { list: [{ a: 1 }] } };
    const extras = tokenExtras(body) as { nested: { list: Array<{ a: number }> } };
    expect(Object.isFrozen(extras)).toBe(true);
    expect(Object.isFrozen(extras.nested)).toBe(true);
    expect(Object.isFrozen(extras.nested.list)).toBe(true);
    expect(Object.isFrozen(extras.nested.list[0])).toBe(true);
    body.nested.list.push({ a: 2 });
    expect(extras.nested.list).toHaveLength(1);
  });

  it('leaves out what is not JSON, nests too deep or is named to pollute a prototype', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    const extras = tokenExtras({
      ok: 'kept',
      nan: Number.NaN,
      infinite: Number.POSITIVE_INFINITY,
      big: 10n,
      fn: () => 1,
      date: new Date(0),
      map: new Map(),
      undef: undefined,
      cycle,
      deep: { a: { b: { c: { d: { e: 1 } } } } },
      fourDeep: { a: { b: { c: { d: 1 } } } },
      inner: JSON.parse('{"__proto__":{"polluted":true}}'),
      '': 'no name',
      ['n'.repeat(129)]: 'too long a name',
    });
    expect(extras).toStrictEqual({ ok: 'kept', fourDeep: { a: { b: { c: { d: 1 } } } } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(tokenExtras(JSON.parse('{"__proto__":{"polluted":true},"x":1}'))).toStrictEqual({
      x: 1,
    });
  });

  it('survives a getter that throws', () => {
    const body = Object.defineProperty({ kept: 1 }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(tokenExtras(body)).toStrictEqual({ kept: 1 });
  });

  it('keeps at most 32 members and 8192 characters of names and strings', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${i}`, i]));
    expect(Object.keys(tokenExtras(many) ?? {})).toHaveLength(32);
    const big = tokenExtras({ a: 'x'.repeat(5000), b: 'y'.repeat(5000), c: 'z' }) ?? {};
    expect(Object.keys(big)).toEqual(['a', 'c']); // b does not fit after a; c still does
    expect(tokenExtras({ huge: 'x'.repeat(10_000) })).toBeUndefined();
    expect(tokenExtras({ wide: Array.from({ length: 600 }, () => 0) })).toBeUndefined();
  });

  it('counts the bounds exactly: 8192 characters with the names, 512 values, 128-character names', () => {
    // 'a' (1) + 8191 characters: exactly the budget; one more and it does not fit.
    expect(Object.keys(tokenExtras({ a: 'x'.repeat(8191) }) ?? {})).toEqual(['a']);
    expect(tokenExtras({ a: 'x'.repeat(8192) })).toBeUndefined();
    // Names inside a member count too.
    expect(tokenExtras({ a: { bb: 'x'.repeat(8188) } })).toBeDefined();
    expect(tokenExtras({ a: { bb: 'x'.repeat(8190) } })).toBeUndefined();
    // The array and its 511 items: 512 values.
    expect(tokenExtras({ list: Array.from({ length: 511 }, () => 0) })).toBeDefined();
    expect(tokenExtras({ list: Array.from({ length: 512 }, () => 0) })).toBeUndefined();
    expect(Object.keys(tokenExtras({ ['n'.repeat(128)]: 1 }) ?? {})).toHaveLength(1);
  });

  it('keeps members of objects without a prototype, and never gives the copy a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { x: 1 });
    expect(tokenExtras({ bare })).toStrictEqual({ bare: { x: 1 } });
    const extras = tokenExtras(JSON.parse('{"__proto__":{"polluted":true},"x":1}')) ?? {};
    expect(Object.getPrototypeOf(extras)).toBe(Object.prototype);
    expect((extras as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('keeps nothing of a body whose members cannot be listed', () => {
    const refusing = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    expect(tokenExtras(refusing)).toBeUndefined();
  });
});

describe('reviveExtras', () => {
  it('gives back what tokenExtras made, unchanged', () => {
    const made = tokenExtras({ ...SALESFORCE_MEMBERS, nested: { a: [1, { b: null }] } });
    expect(reviveExtras(JSON.parse(JSON.stringify(made)))).toStrictEqual(made);
  });

  it('refuses what is not an object of members, and bounds one that is', () => {
    for (const value of [null, 'text', 42, [1, 2], true, new Map()]) {
      expect(reviveExtras(value)).toBeUndefined();
    }
    const revived = reviveExtras({ access_token: 'forged', deep: [[[[[1]]]]], ok: 'yes' });
    expect(revived).toStrictEqual({ ok: 'yes' });
    expect(Object.isFrozen(revived)).toBe(true);
    expect(reviveExtras({ access_token: 'forged' })).toStrictEqual({});
  });
});

describe('extras on the token (nock)', () => {
  const origin = 'https://acme.my.salesforce.test';
  useNock();
  function provider() {
    const logged: unknown[] = [];
    const log = (...args: unknown[]) => logged.push(args);
    const { tokens, events } = nockProvider(`${origin}/services/oauth2/token`, {
      clientAuth: 'client_secret_post',
      retry: { maxAttempts: 1 },
      logger: { debug: log, info: log, warn: log, error: log },
    });
    return { tokens, events, logged };
  }

  it("puts Salesforce's instance_url, id, signature and issued_at on the token", async () => {
    nock(origin)
      .post('/services/oauth2/token')
      .reply(200, {
        access_token: '00D5g000004abcd!AQ4AQFake.Token_Value',
        scope: 'api',
        token_type: 'Bearer',
        ...SALESFORCE_MEMBERS,
      });
    const { tokens, events, logged } = provider();
    const token = await tokens.getToken();
    expect(token.extras).toStrictEqual(SALESFORCE_MEMBERS);
    expect(token.extras?.['instance_url']).toBe('https://acme.my.salesforce.com');
    expect(Object.isFrozen(token.extras)).toBe(true);
    expect(token.scope).toBe('api');
    // The cached token is the same object, extras and all.
    expect(await tokens.getToken()).toBe(token);
    // Never in an event or a log line.
    const reported = JSON.stringify([events, logged]);
    expect(events.map((e) => e.type)).toEqual(['token_fetched']);
    for (const value of Object.values(SALESFORCE_MEMBERS)) expect(reported).not.toContain(value);
  });

  it("puts token exchange's issued_token_type on the token, and form-encoded members too", async () => {
    nock(origin).post('/services/oauth2/token').reply(200, {
      access_token: 'exchanged',
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 60,
    });
    expect((await provider().tokens.getToken()).extras).toStrictEqual({
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    nock(origin)
      .post('/services/oauth2/token')
      .reply(200, 'access_token=form&token_type=bearer&installation=42', {
        'content-type': 'application/x-www-form-urlencoded',
      });
    expect((await provider().tokens.getToken()).extras).toStrictEqual({ installation: '42' });
  });

  it('has no extras member when the answer had only standard members', async () => {
    nock(origin)
      .post('/services/oauth2/token')
      .reply(200, { access_token: 'plain', token_type: 'Bearer', expires_in: 60 });
    const token = await provider().tokens.getToken();
    expect('extras' in token).toBe(false);
  });
});
