import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthServer,
  type ClientKeys,
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
} from '@m2m-auth/test-utils';
import { exportPKCS8, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromFile } from '../src/files/index.ts';
import {
  ConfigError,
  createTokenProvider,
  memoryStore,
  type TokenEvent,
  type TokenProviderOptions,
} from '../src/index.ts';

const SA = 'reporter@m2m-auth-test.iam.gserviceaccount.com';
const CLOUD = 'https://www.googleapis.com/auth/cloud-platform';
const CONSUMER_KEY = '3MVG9-consumer-key';
const SF_USER = 'integration@acme.example';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** `fetch` that records each token request's form and Authorization before sending it. */
function recordingFetch() {
  const sent: Array<{ form: URLSearchParams; authorization: string | null }> = [];
  return {
    sent,
    fetch: (url: string, init: RequestInit) => {
      sent.push({
        form: new URLSearchParams(String(init.body)),
        authorization: new Headers(init.headers).get('authorization'),
      });
      return globalThis.fetch(url, init);
    },
  };
}

// RFC 7523 §2.1 against test-utils: the vendor profiles `google-sa` and `salesforce` (each
// enforcing its vendor's rules) and `strict-rfc` (the RFC as written, with or without client
// authentication). Every assertion is verified for real there, and here with jose.
describe('the jwt-bearer grant', () => {
  let auth: AuthServer;
  let sa: ClientKeys;
  let sf: ClientKeys;
  let idp: ClientKeys;
  let dir: string;

  beforeAll(async () => {
    sa = await generateClientKeys('RS256', 'private-key-id-1');
    sf = await generateClientKeys('RS256', 'sf-cert');
    idp = await generateClientKeys('ES256', 'idp-key');
    auth = await startAuthServer({
      clients: [
        ...DEFAULT_CLIENTS,
        { clientId: SA, clientSecret: 'unused', jwks: sa.jwks },
        { clientId: CONSUMER_KEY, clientSecret: 'unused', jwks: sf.jwks, users: [SF_USER] },
        { clientId: 'https://idp.example', clientSecret: 'unused', jwks: idp.jwks },
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'm2m-jwt-bearer-'));
  });
  afterAll(async () => {
    await auth.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    auth.stats.reset();
    auth.control.setClockOffset(0);
  });

  const publicKey = (keys: ClientKeys) => importJWK(keys.jwks.keys[0] as JWK, keys.alg);
  const google = async (extra: Partial<TokenProviderOptions> = {}) =>
    createTokenProvider({
      tokenUrl: auth.tokenUrl('google-sa'),
      clientAuth: 'none',
      grant: {
        type: 'jwt-bearer',
        issuer: SA,
        privateKey: await exportPKCS8(sa.privateKey), // the key file's private_key
        alg: 'RS256',
        kid: 'private-key-id-1',
        scopeIn: 'claim',
      },
      scope: CLOUD,
      ...extra,
    });

  it('Google service account: iss the account, scope a claim, aud the token URL, no client authentication', async () => {
    const wire = recordingFetch();
    const tokens = await google({ fetch: wire.fetch });
    const token = await tokens.getToken();
    expect(await auth.verify(token.accessToken)).toMatchObject({ sub: SA, scope: CLOUD });
    expect(auth.stats.requests).toMatchObject([{ status: 200, authMethod: 'none' }]);
    const [{ form, authorization }] = wire.sent as [(typeof wire.sent)[0]];
    expect([...form.keys()].sort()).toEqual(['assertion', 'grant_type']); // no client_id, no scope
    expect(form.get('grant_type')).toBe(JWT_BEARER);
    expect(authorization).toBeNull();
    const { payload, protectedHeader } = await jwtVerify(
      form.get('assertion') as string,
      await publicKey(sa),
      { issuer: SA, audience: auth.tokenUrl('google-sa') },
    );
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: 'private-key-id-1' });
    expect(payload['scope']).toBe(CLOUD);
    expect(payload.sub).toBeUndefined();
  });

  it('Salesforce: iss the consumer key, sub the user, aud the login host', async () => {
    const wire = recordingFetch();
    const store = memoryStore();
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('salesforce'),
      clientId: CONSUMER_KEY,
      clientAuth: 'none',
      grant: {
        type: 'jwt-bearer',
        subject: SF_USER,
        audience: auth.url, // https://login.salesforce.com in production
        privateKey: sf.privateJwk,
      },
      fetch: wire.fetch,
      store,
    });
    const token = await tokens.getToken();
    expect(token.accessToken.length).toBeGreaterThan(0);
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200]);
    const { payload } = await jwtVerify(
      wire.sent[0]?.form.get('assertion') as string,
      await publicKey(sf),
      { issuer: CONSUMER_KEY, subject: SF_USER, audience: auth.url },
    );
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(180);
    // Another user is another token, even in a shared store: the subject is in the cache key.
    const other = createTokenProvider({
      tokenUrl: auth.tokenUrl('salesforce'),
      clientId: CONSUMER_KEY,
      clientAuth: 'none',
      grant: {
        type: 'jwt-bearer',
        subject: 'ceo@acme.example',
        audience: auth.url,
        privateKey: sf.privateJwk,
      },
      store,
    });
    await expect(other.getToken()).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('RFC 7523 with client authentication: Basic, and the scope as a form parameter', async () => {
    const wire = recordingFetch();
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      grant: { type: 'jwt-bearer', issuer: SA, privateKey: sa.privateJwk },
      scope: ['reports.read'],
      fetch: wire.fetch,
    });
    const token = await tokens.getToken();
    expect(await auth.verify(token.accessToken)).toMatchObject({ sub: SA, scope: 'reports.read' });
    expect(auth.stats.requests).toMatchObject([
      { status: 200, authMethod: 'basic', clientId: 'demo-client' },
    ]);
    expect(wire.sent[0]?.authorization).toMatch(/^Basic /);
    expect(wire.sent[0]?.form.get('scope')).toBe('reports.read');
  });

  it('an assertion from a file: invalid_grant re-reads it once, and a rewritten file is used', async () => {
    const platform = (keys: ClientKeys, iss: string) => {
      const iat = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: 'workload-7' })
        .setProtectedHeader({ alg: keys.alg, kid: keys.kid })
        .setIssuer(iss)
        .setAudience(auth.tokenUrl('strict-rfc'))
        .setIssuedAt(iat)
        .setExpirationTime(iat + 600)
        .sign(keys.privateKey);
    };
    const path = join(dir, 'platform-token');
    writeFileSync(path, await platform(sa, 'https://idp.example')); // a key the server does not trust for it
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientAuth: 'none',
      grant: { type: 'jwt-bearer', assertion: fromFile(path) },
      onEvent: (event) => events.push(event),
    });
    const good = await platform(idp, 'https://idp.example');
    void auth.nextTokenRequest().then(() => {
      writeFileSync(`${path}.new`, good);
      renameSync(`${path}.new`, path);
    });
    const token = await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([400, 200]);
    expect(await auth.verify(token.accessToken)).toMatchObject({ sub: 'workload-7' });
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([
      { changed: true, credential: 'grant.assertion' },
    ]);
  });

  it('signs again in the server time when its clock is far ahead (invalid_grant, then a Date)', async () => {
    auth.control.setClockOffset(10 * 60_000); // our 60 s assertion has expired by its clock
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientAuth: 'none',
      grant: { type: 'jwt-bearer', issuer: SA, privateKey: sa.privateJwk },
    });
    await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([400, 200]);
  });

  it('shares one token request among concurrent callers, and providers of one grant through a store', async () => {
    const store = memoryStore();
    const [a, b] = [await google({ store }), await google({ store })];
    const tokens = await Promise.all([
      ...Array.from({ length: 20 }, () => a.getToken()),
      ...Array.from({ length: 20 }, () => b.getToken()),
    ]);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(auth.stats.total).toBe(1);
    // Another scope is another assertion and another token.
    await a.forScope('https://www.googleapis.com/auth/devstorage.read_only').getToken();
    expect(auth.stats.total).toBe(2);
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('refuses options that cannot work, at construction', () => {
    const base = { tokenUrl: auth.tokenUrl('strict-rfc') };
    const error = (options: object) => {
      try {
        createTokenProvider({ ...base, ...options } as TokenProviderOptions);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    const key = { privateKey: sa.privateJwk };
    expect(error({ clientId: 'c', clientAuth: 'none' })).toMatch(/needs a grant/);
    expect(error({ clientAuth: 'none', grant: { type: 'jwt-bearer' } })).toMatch(
      /needs grant.assertion, grant.privateKey or grant.sign/,
    );
    expect(error({ clientAuth: 'none', grant: { type: 'jwt-bearer', ...key } })).toMatch(
      /needs grant.issuer/,
    );
    expect(
      error({ clientAuth: 'none', grant: { type: 'jwt-bearer', assertion: 'a.b.c', ...key } }),
    ).toMatch(/not both/);
    expect(
      error({
        clientAuth: 'none',
        grant: { type: 'jwt-bearer', assertion: 'a.b.c', scopeIn: 'claim' },
      }),
    ).toMatch(/scopeIn 'claim'/);
    expect(error({ grant: { type: 'jwt-bearer', issuer: SA, ...key } })).toMatch(
      /clientSecret is required .* \(or clientAuth 'none'\)/,
    );
    expect(error({ clientSecret: 's', grant: { type: 'jwt-bearer', issuer: SA, ...key } })).toMatch(
      /clientId must be a non-empty string/,
    );
    expect(error({ clientId: 'c', clientSecret: 's', grant: { type: 'password' } })).toMatch(
      /grant.type must be one of/,
    );
    expect(error({ clientId: 'c', clientSecret: 's', params: { assertion: 'x' } })).toMatch(
      /params.assertion is set by m2m-auth/,
    );
  });
});
