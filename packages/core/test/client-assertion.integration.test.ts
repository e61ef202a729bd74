import {
  type AuthServer,
  asLogged,
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
} from '@m2m-auth/test-utils';
import { exportPKCS8 } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenProvider, isOAuthError, type TokenEvent } from '../src/index.ts';

// RFC 7523 client assertions against the test-utils server, which verifies them for real
// (signature, alg, iss/sub, aud, exp window, jti replay).
describe('client assertions (private_key_jwt, client_secret_jwt)', () => {
  let auth: AuthServer;
  let es256: Awaited<ReturnType<typeof generateClientKeys>>;
  let rs256: Awaited<ReturnType<typeof generateClientKeys>>;

  beforeAll(async () => {
    es256 = await generateClientKeys('ES256', 'svc-es');
    rs256 = await generateClientKeys('RS256', 'svc-rs');
    auth = await startAuthServer({
      clients: [
        ...DEFAULT_CLIENTS,
        {
          clientId: 'svc',
          clientSecret: 'svc-secret-for-hmac-32-bytes-long!',
          jwks: { keys: [...es256.jwks.keys, ...rs256.jwks.keys] },
        },
      ],
    });
  });
  afterAll(() => auth.close());
  beforeEach(() => {
    auth.stats.reset();
    auth.control.setClockOffset(0);
  });

  const tokenUrl = () => auth.tokenUrl('strict-rfc');

  it.each([
    ['a private JWK (ES256)', () => es256.privateJwk],
    ['a CryptoKey with kid (ES256)', () => es256.privateKey],
  ])('private_key_jwt with %s: a fresh assertion per token request', async (_, key) => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'svc',
      clientAuth: 'private_key_jwt',
      clientAssertion: { privateKey: key(), kid: 'svc-es' },
    });
    const first = await tokens.getToken();
    await tokens.invalidate(first.accessToken);
    await tokens.getToken();
    expect(auth.stats.requests.map((r) => [r.status, r.authMethod])).toEqual([
      [200, 'private_key_jwt'],
      [200, 'private_key_jwt'],
    ]);
    const [a, b] = auth.stats.assertions;
    expect(a?.claims).toMatchObject({ iss: 'svc', sub: 'svc', aud: tokenUrl() });
    expect(a?.header).toMatchObject({ alg: 'ES256', kid: 'svc-es' });
    expect((a?.claims.exp as number) - (a?.claims.iat as number)).toBe(60);
    expect(a?.claims.jti).not.toBe(b?.claims.jti);
  });

  it('private_key_jwt with a PKCS#8 PEM (RS256) and the issuer as audience', async () => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      issuer: auth.url,
      clientId: 'svc',
      clientAssertion: {
        privateKey: await exportPKCS8(rs256.privateKey),
        alg: 'RS256',
        kid: 'svc-rs',
        audience: 'issuer',
      },
    });
    await tokens.getToken(); // clientAuth defaults to private_key_jwt when a key is given
    expect(auth.stats.assertions[0]?.claims.aud).toBe(auth.url);
    expect(auth.stats.requests[0]?.authMethod).toBe('private_key_jwt');
  });

  it('private_key_jwt with a JWK that names no alg, and with a PEM through discovery', async () => {
    const { alg: _, ...noAlg } = es256.privateJwk;
    await createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'svc',
      clientAssertion: { privateKey: noAlg },
    }).getToken();
    await createTokenProvider({
      issuer: auth.url,
      clientId: 'svc',
      clientAssertion: { privateKey: await exportPKCS8(rs256.privateKey), alg: 'RS256' },
    }).getToken();
    expect(auth.stats.assertions.map((a) => a.header.alg)).toEqual(['ES256', 'RS256']);
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('client_secret_jwt signs with the secret (HS256)', async () => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'svc',
      clientSecret: 'svc-secret-for-hmac-32-bytes-long!',
      clientAuth: 'client_secret_jwt',
    });
    await tokens.getToken();
    expect(auth.stats.requests[0]).toMatchObject({ status: 200, authMethod: 'client_secret_jwt' });
    expect(auth.stats.assertions[0]?.header.alg).toBe('HS256');
  });

  it('a key the server does not know gives a typed invalid_client, with no key or assertion in it', async () => {
    const stranger = await generateClientKeys('ES256', 'svc-es');
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'svc',
      clientAssertion: { privateKey: stranger.privateJwk },
      onEvent: (event) => events.push(event),
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(isOAuthError(error) && error.error).toBe('invalid_client');
    const logged = asLogged(error) + asLogged(events);
    expect(logged).not.toContain(String(stranger.privateJwk.d));
    expect(logged).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT (the assertion) anywhere
  });

  it('never quotes the assertion or the DPoP proof a server echoes back in its error', async () => {
    let echoed = '';
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'svc',
      clientAssertion: { privateKey: es256.privateJwk },
      dpop: true,
      fetch: async (_url, init) => {
        const assertion = new URLSearchParams(String(init.body)).get('client_assertion');
        const proof = new Headers(init.headers).get('dpop');
        echoed = `${assertion} ${proof}`;
        return Response.json(
          {
            error: 'invalid_client',
            error_description: `bad assertion ${assertion} proof ${proof}`,
          },
          { status: 401 },
        );
      },
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(isOAuthError(error)).toBe(true);
    for (const credential of echoed.split(' ')) expect(asLogged(error)).not.toContain(credential);
  });

  it('signs in the server time once its Date shows our clock is off', async () => {
    auth.control.setClockOffset(10 * 60_000); // the server is 10 minutes ahead
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'svc',
      clientAssertion: { privateKey: es256.privateJwk },
      onEvent: (event) => events.push(event),
    });
    // The first assertion carries our time, already expired in the server's: refused, and
    // its Date teaches the offset; the same request is signed again in the server's time.
    const first = await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([401, 200]);
    await tokens.invalidate(first.accessToken);
    await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([401, 200, 200]);
    const skew = events.find((e) => e.type === 'clock_skew');
    expect(skew && 'offsetMs' in skew && Math.abs(skew.offsetMs - 600_000)).toBeLessThan(2000);
    const secondIat = auth.stats.assertions[2]?.claims.iat as number;
    expect(Math.abs(secondIat * 1000 - auth.now())).toBeLessThan(3000);
  });
});
