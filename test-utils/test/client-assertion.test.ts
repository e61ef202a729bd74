import { type CryptoKey, decodeJwt, generateKeyPair } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AssertionMethod,
  type AuthServer,
  type ClientKeys,
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
} from '../src/index.ts';
import { claimsFor, postAssertion, secretKey, sign, unsigned } from './assertion-helpers.ts';

interface MethodCase {
  title: string;
  method: AssertionMethod;
  clientId: string;
  alg: string;
  /** The key the client signs with, and its `kid`. */
  key(): CryptoKey | Uint8Array;
  kid(): string | undefined;
  /** Same alg and kid, another key. */
  wrongKey(): CryptoKey | Uint8Array;
}

let auth: AuthServer;
let tokenUrl: string;
const keys = {} as Record<'es' | 'rs' | 'esOther' | 'rsOther', ClientKeys>;
let es384: CryptoKey;
let ps256: CryptoKey;

beforeAll(async () => {
  keys.es = await generateClientKeys('ES256');
  keys.rs = await generateClientKeys('RS256');
  keys.esOther = await generateClientKeys('ES256', keys.es.kid);
  keys.rsOther = await generateClientKeys('RS256', keys.rs.kid);
  es384 = (await generateKeyPair('ES384')).privateKey;
  ps256 = (await generateKeyPair('PS256')).privateKey;
  auth = await startAuthServer({
    clients: [
      ...DEFAULT_CLIENTS,
      { clientId: 'es-client', clientSecret: 'es-secret', jwks: keys.es.jwks },
      { clientId: 'rs-client', clientSecret: 'rs-secret', jwks: keys.rs.jwks },
    ],
  });
  tokenUrl = auth.tokenUrl('strict-rfc');
});
afterAll(() => auth.close());
beforeEach(() => auth.stats.reset());

const METHODS: MethodCase[] = [
  {
    title: 'private_key_jwt with an ES256 key',
    method: 'private_key_jwt',
    clientId: 'es-client',
    alg: 'ES256',
    key: () => keys.es.privateKey,
    kid: () => keys.es.kid,
    wrongKey: () => keys.esOther.privateKey,
  },
  {
    title: 'private_key_jwt with an RS256 key',
    method: 'private_key_jwt',
    clientId: 'rs-client',
    alg: 'RS256',
    key: () => keys.rs.privateKey,
    kid: () => keys.rs.kid,
    wrongKey: () => keys.rsOther.privateKey,
  },
  {
    title: 'client_secret_jwt with HS256',
    method: 'client_secret_jwt',
    clientId: 'demo-client',
    alg: 'HS256',
    key: () => secretKey('demo-secret'),
    kid: () => undefined,
    wrongKey: () => secretKey('not-the-secret'),
  },
];

const header = (m: MethodCase) => {
  const kid = m.kid();
  return kid ? { alg: m.alg, kid } : { alg: m.alg };
};
const good = (m: MethodCase, overrides: Record<string, unknown> = {}) =>
  sign(claimsFor(m.clientId, tokenUrl, overrides), m.key(), header(m));
const now = () => Math.floor(Date.now() / 1000);

/** Each way an assertion can be wrong, and the description of the 401 it gets. */
const FAILURES: Array<
  [string, (m: MethodCase) => Promise<{ jwt: string; extra?: Record<string, string> }>, RegExp]
> = [
  [
    'signed with another key',
    async (m) => ({ jwt: await sign(claimsFor(m.clientId, tokenUrl), m.wrongKey(), header(m)) }),
    /signature does not verify/,
  ],
  [
    'unsigned (alg none)',
    async (m) => ({ jwt: unsigned(claimsFor(m.clientId, tokenUrl)) }),
    /alg none/,
  ],
  [
    'signed with an algorithm not accepted (ES384)',
    async (m) => ({ jwt: await sign(claimsFor(m.clientId, tokenUrl), es384, { alg: 'ES384' }) }),
    /alg ES384 is not accepted/,
  ],
  [
    'iss is another client',
    async (m) => ({ jwt: await good(m, { iss: 'my:client id+1' }) }),
    /iss and sub must both be the client_id/,
  ],
  [
    'iss and sub name an unknown client',
    async (m) => ({ jwt: await good(m, { iss: 'nobody', sub: 'nobody' }) }),
    /not a known client_id/,
  ],
  [
    'client_id in the body differs from sub',
    async (m) => ({ jwt: await good(m), extra: { client_id: 'my:client id+1' } }),
    /client_id differs from sub/,
  ],
  [
    'aud is another server',
    async (m) => ({ jwt: await good(m, { aud: 'https://other.example/token' }) }),
    /aud must contain the token endpoint URL or the issuer/,
  ],
  ['aud is missing', async (m) => ({ jwt: await good(m, { aud: undefined }) }), /aud is required/],
  [
    'expired more than 30 s ago',
    async (m) => ({ jwt: await good(m, { iat: now() - 120, exp: now() - 31 }) }),
    /expired/,
  ],
  [
    'exp is more than 5 minutes after iat',
    async (m) => ({ jwt: await good(m, { iat: now(), exp: now() + 301 }) }),
    /exp is more than 300 s after iat/,
  ],
  [
    'exp is more than 5 minutes from now, without iat',
    async (m) => ({ jwt: await good(m, { iat: undefined, exp: now() + 340 }) }),
    /exp is more than 300 s after now/,
  ],
  [
    'iat is in the future',
    async (m) => ({ jwt: await good(m, { iat: now() + 60 }) }),
    /iat is in the future/,
  ],
  ['exp is missing', async (m) => ({ jwt: await good(m, { exp: undefined }) }), /exp is required/],
  ['jti is missing', async (m) => ({ jwt: await good(m, { jti: undefined }) }), /jti is required/],
];

describe.each(METHODS)('strict-rfc: $title', (m) => {
  it('issues a token for a good assertion, and records its method, header and claims', async () => {
    const jwt = await good(m);
    const res = await postAssertion(tokenUrl, jwt);
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body['access_token']))).toMatchObject({ sub: m.clientId });
    const [request] = auth.stats.requests;
    expect(request).toMatchObject({ authMethod: m.method, clientId: m.clientId, issued: true });
    expect(request?.assertion?.header).toEqual(header(m));
    expect(request?.assertion?.claims).toEqual(decodeJwt(jwt));
    expect(auth.stats.assertions).toEqual([request?.assertion]);
    expect(auth.stats.byAuthMethod()[m.method]).toBe(1);
  });

  it('accepts the issuer as aud, an aud array, a client_id equal to sub, and exp within the 30 s leeway', async () => {
    for (const [overrides, extra] of [
      [{ aud: auth.url }, {}],
      [{ aud: ['https://someone.else', tokenUrl] }, {}],
      [{}, { client_id: m.clientId }],
      [{ iat: now() - 100, exp: now() - 20 }, {}],
    ] as const) {
      const res = await postAssertion(tokenUrl, await good(m, overrides), extra);
      expect(res.status, JSON.stringify(overrides)).toBe(200);
    }
  });

  it.each(FAILURES)(
    'refuses an assertion: %s: 401 invalid_client',
    async (_title, build, description) => {
      const { jwt, extra } = await build(m);
      const res = await postAssertion(tokenUrl, jwt, extra);
      expect(res.status).toBe(401);
      expect(res.body['error']).toBe('invalid_client');
      expect(res.body['error_description']).toMatch(description);
      expect(res.text).not.toContain(jwt);
      const signature = jwt.split('.')[2];
      if (signature) expect(res.text).not.toContain(signature);
      expect(auth.stats.requests[0]).toMatchObject({ status: 401, issued: false });
    },
  );

  it('refuses a replayed jti', async () => {
    const jwt = await good(m);
    expect((await postAssertion(tokenUrl, jwt)).status).toBe(200);
    const replay = await postAssertion(tokenUrl, jwt);
    expect([replay.status, replay.body['error']]).toEqual([401, 'invalid_client']);
    expect(replay.body['error_description']).toMatch(/jti was already used/);
    // A fresh jti with otherwise the same claims is fine.
    const claims = decodeJwt(jwt);
    const fresh = await sign({ ...claims, jti: crypto.randomUUID() }, m.key(), header(m));
    expect((await postAssertion(tokenUrl, fresh)).status).toBe(200);
  });

  it('refuses an assertion next to another client authentication: 400 invalid_request', async () => {
    const basic = `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`;
    const withBasic = await postAssertion(tokenUrl, await good(m), {}, { authorization: basic });
    expect([withBasic.status, withBasic.body['error']]).toEqual([400, 'invalid_request']);
    const withSecret = await postAssertion(tokenUrl, await good(m), {
      client_id: m.clientId,
      client_secret: 'demo-secret',
    });
    expect([withSecret.status, withSecret.body['error']]).toEqual([400, 'invalid_request']);
    expect(auth.stats.byAuthMethod()).toMatchObject({ both: 2 });
  });
});

describe('strict-rfc client assertions: the client and the form', () => {
  it('refuses private_key_jwt from a client without registered keys', async () => {
    const jwt = await sign(claimsFor('demo-client', tokenUrl), keys.es.privateKey, {
      alg: 'ES256',
    });
    const res = await postAssertion(tokenUrl, jwt);
    expect([res.status, res.body['error']]).toEqual([401, 'invalid_client']);
    expect(res.body['error_description']).toMatch(/no registered keys/);
  });

  it("refuses an alg the client's registered key cannot verify (PS256 for an ES256 key)", async () => {
    const jwt = await sign(claimsFor('es-client', tokenUrl), ps256, {
      alg: 'PS256',
      kid: keys.es.kid,
    });
    const res = await postAssertion(tokenUrl, jwt);
    expect([res.status, res.body['error']]).toEqual([401, 'invalid_client']);
    expect(res.body['error_description']).toMatch(/no key in the client's jwks matches/);
  });

  it('lets a client with keys use client_secret_jwt too, with HS384 and HS512', async () => {
    for (const alg of ['HS384', 'HS512']) {
      const jwt = await sign(claimsFor('es-client', tokenUrl), secretKey('es-secret'), { alg });
      expect((await postAssertion(tokenUrl, jwt)).status).toBe(200);
    }
    expect(auth.stats.byAuthMethod()).toMatchObject({ client_secret_jwt: 2, private_key_jwt: 0 });
  });

  it('keys client_secret_jwt with the current secret: after a rotation the old one fails', async () => {
    const local = await startAuthServer();
    try {
      const url = local.tokenUrl('strict-rfc');
      local.control.rotateSecret('demo-client', 'rotated-secret');
      const old = await sign(claimsFor('demo-client', url), secretKey('demo-secret'), {
        alg: 'HS256',
      });
      expect((await postAssertion(url, old)).status).toBe(401);
      const fresh = await sign(claimsFor('demo-client', url), secretKey('rotated-secret'), {
        alg: 'HS256',
      });
      expect((await postAssertion(url, fresh)).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('checks the assertion type and that assertion and type come together', async () => {
    const jwt = await good(METHODS[0] as MethodCase);
    const wrongType = await postAssertion(tokenUrl, jwt, {
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
    });
    expect([wrongType.status, wrongType.body['error']]).toEqual([401, 'invalid_client']);
    expect(wrongType.body['error_description']).toMatch(/client_assertion_type must be/);
    const noType = await postAssertion(tokenUrl, jwt, { client_assertion_type: '' });
    expect([noType.status, noType.body['error']]).toEqual([400, 'invalid_request']);
    const garbage = await postAssertion(tokenUrl, 'not-a-jwt');
    expect([garbage.status, garbage.body['error']]).toEqual([401, 'invalid_client']);
    expect(garbage.body['error_description']).toMatch(/not a JWT/);
  });

  it('accepts assertions on strict-rfc only: the other profiles ignore them', async () => {
    const jwt = await good(METHODS[0] as MethodCase);
    const res = await postAssertion(auth.tokenUrl('generic'), jwt);
    expect([res.status, res.body['error']]).toEqual([401, 'invalid_client']);
    expect(res.body['error_description']).toMatch(/Basic/);
  });
});
