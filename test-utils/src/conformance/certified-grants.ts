/**
 * The grants beyond client credentials, in `describeCertified`: core's `grant` option
 * (`'token-exchange'`, RFC 8693; `'jwt-bearer'`, RFC 7523 §2.1) against the grants the
 * certified server registers with oidc-provider, through the adapter under test: a token
 * the APIs accept (DPoP-bound too), a revocation refreshed by one new grant request and one replay, 50 cold
 * calls sharing one token request, and a refused subject token as a typed `invalid_grant`.
 */
import { isOAuthError, type TokenProviderOptions } from '@m2m-auth/core';
import { expect, it } from 'vitest';
import type { CertifiedApi } from '../certified/certified-api.ts';
import { JWT_BEARER } from '../certified/jwt-bearer-grant.ts';
import { TOKEN_EXCHANGE } from '../certified/token-exchange-grant.ts';
import type { UniformClient } from './types.ts';
import type { CertifiedServers } from './use-certified-servers.ts';

type Client = (options: Partial<TokenProviderOptions>) => Promise<UniformClient>;

/** A JWT access token of the server for the JWT API (client credentials, by hand). */
async function accessToken(servers: CertifiedServers): Promise<string> {
  const { clientId, clientSecret } = servers.auth.clients.post;
  const response = await fetch(servers.auth.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      resource: servers.api.resource,
      scope: 'read',
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

export function certifiedGrantTests(servers: CertifiedServers, client: Client): void {
  const get = (request: UniformClient, api: CertifiedApi, path = '/echo') =>
    request({ url: `${api.url}${path}` });
  const grantRequests = () =>
    servers.auth.stats.tokenRequests.filter((r) => r.grantType !== 'client_credentials');

  /** Either grant, the client authenticating with Basic, for the opaque (revocable) API. */
  const GRANTS = {
    'token-exchange': async () => ({
      ...servers.auth.clients.basic,
      grant: {
        type: 'token-exchange',
        subjectToken: await servers.auth.trustedIssuer.sign({
          sub: 'alice',
          aud: servers.auth.issuer,
        }),
        subjectTokenType: 'jwt',
      },
    }),
    'jwt-bearer': async () => {
      const { issuer, keys } = servers.auth.trustedIssuer;
      return {
        ...servers.auth.clients.basic,
        grant: {
          type: 'jwt-bearer',
          issuer,
          subject: 'alice',
          privateKey: keys.privateKey,
          kid: keys.kid,
        },
      };
    },
  } satisfies Record<string, () => Promise<Partial<TokenProviderOptions>>>;
  const GRANT_TYPES = { 'token-exchange': TOKEN_EXCHANGE, 'jwt-bearer': JWT_BEARER };
  const names = Object.keys(GRANTS) as Array<keyof typeof GRANTS>;

  it('exchanges an access token of the server for one to another API (token exchange)', async () => {
    const subjectToken = await accessToken(servers);
    servers.auth.stats.reset();
    const request = await client({
      ...servers.auth.clients.basic,
      grant: { type: 'token-exchange', subjectToken, subjectTokenType: 'access_token' },
      resource: servers.opaqueApi.resource,
    });
    const [first, second] = [
      await get(request, servers.opaqueApi),
      await get(request, servers.opaqueApi),
    ];
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(JSON.parse(first.body)).toMatchObject({
      client_id: servers.auth.clients.basic.clientId,
      aud: servers.opaqueApi.resource,
      scope: 'read',
    });
    expect(servers.auth.stats.tokenRequests).toMatchObject([
      {
        status: 200,
        grantType: TOKEN_EXCHANGE,
        authMethod: 'client_secret_basic',
        tokenType: 'Bearer',
      },
    ]);
  });

  it('gets a token with a jwt-bearer assertion of the trusted issuer, the client authenticated', async () => {
    const request = await client({
      ...(await GRANTS['jwt-bearer']()),
      clientAuth: 'client_secret_basic',
    });
    const response = await get(request, servers.api);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ aud: servers.api.resource, scope: 'read' });
    expect(servers.auth.stats.tokenRequests).toMatchObject([
      { status: 200, grantType: JWT_BEARER, clientId: servers.auth.clients.basic.clientId },
    ]);
  });

  it.each(names)(
    '%s: a DPoP-bound token after the nonce challenge, a proof at the API',
    async (name) => {
      const request = await client({
        ...(await GRANTS[name]()),
        ...servers.auth.clients.dpop,
        dpop: true,
      });
      const response = await get(request, servers.api);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ bound: true });
      expect(servers.auth.stats.tokenRequests).toMatchObject([
        { status: 400, error: 'use_dpop_nonce', grantType: GRANT_TYPES[name] },
        { status: 200, tokenType: 'DPoP', grantType: GRANT_TYPES[name] },
      ]);
      expect(servers.api.requests.map((r) => r.dpop?.outcome)).toEqual([
        'use_dpop_nonce',
        'accepted',
      ]);
    },
  );

  it.each(names)(
    '%s: after a revocation, one 401, one new grant request, one replay',
    async (name) => {
      const api = servers.opaqueApi;
      const request = await client({ ...(await GRANTS[name]()), resource: api.resource });
      expect((await get(request, api, '/echo/before')).status).toBe(200);
      servers.auth.stats.reset();
      api.reset();
      expect(await servers.auth.revokeAll()).toBeGreaterThan(0);
      expect((await get(request, api, '/echo/after')).status).toBe(200);
      expect(api.requests.map((r) => r.status)).toEqual([401, 200]);
      expect(api.requests[1]?.authorization).not.toBe(api.requests[0]?.authorization);
      expect(servers.auth.stats.tokenRequests).toMatchObject([
        { status: 200, grantType: GRANT_TYPES[name], resource: api.resource },
      ]);
    },
  );

  it.each(names)('%s: 50 concurrent cold calls make one token request', async (name) => {
    const request = await client(await GRANTS[name]());
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => get(request, servers.api, `/echo/${i}`)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(grantRequests()).toMatchObject([{ status: 200, grantType: GRANT_TYPES[name] }]);
    expect(servers.auth.stats.total).toBe(1);
  });

  it('surfaces a refused subject token as invalid_grant, its text in no message, calling no API', async () => {
    const subjectToken = `${await accessToken(servers)}x`; // its signature broken
    servers.auth.stats.reset();
    const request = await client({
      ...servers.auth.clients.basic,
      grant: { type: 'token-exchange', subjectToken, subjectTokenType: 'access_token' },
      resource: servers.opaqueApi.resource,
    });
    const refused = await get(request, servers.opaqueApi).catch((error: unknown) => error);
    expect(isOAuthError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'M2M_OAUTH_ERROR', error: 'invalid_grant', status: 400 });
    const text = `${String(refused)} ${JSON.stringify(refused)} ${(refused as Error).stack}`;
    expect(text).not.toContain(subjectToken.split('.')[1]);
    expect(servers.opaqueApi.requests).toEqual([]);
    expect(servers.auth.stats.tokenRequests).toMatchObject([
      { status: 400, error: 'invalid_grant', grantType: TOKEN_EXCHANGE },
    ]);
  });
}
