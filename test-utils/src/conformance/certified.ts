/**
 * `describeCertified(name, makeClient)`: an adapter against a certified authorization server
 * (oidc-provider) and APIs that judge tokens by that server's rules, never by what our
 * client says: every client authentication method, discovery, DPoP with nonces at both ends,
 * resource indicators, revocation, and single-flight counted inside the server; and the
 * token-exchange and jwt-bearer grants through core's `grant` option (`certified-grants.ts`).
 */
import { createTokenProvider, isM2MAuthError, type TokenProviderOptions } from '@m2m-auth/core';
import { describe, expect, it } from 'vitest';
import type { CertifiedApi } from '../certified/certified-api.ts';
import type { CertifiedClients } from '../certified/certified-clients.ts';
import { certifiedGrantTests } from './certified-grants.ts';
import type { ClientSetup, UniformClient } from './types.ts';
import { useCertifiedServers } from './use-certified-servers.ts';

export type CertifiedSetup = Pick<ClientSetup, 'provider' | 'origins'>;
export type MakeCertifiedClient = (setup: CertifiedSetup) => UniformClient | Promise<UniformClient>;

type Credentials = Pick<TokenProviderOptions, 'clientId' | 'clientSecret' | 'clientAssertion'>;

const METHODS = {
  client_secret_basic: (clients) => clients.basic,
  client_secret_post: (clients) => clients.post,
  client_secret_jwt: (clients) => clients.secretJwt,
  private_key_jwt: ({ privateKeyJwt: { clientId, keys } }) => ({
    clientId,
    clientAssertion: { privateKey: keys.privateKey, kid: keys.kid },
  }),
} satisfies Record<string, (clients: CertifiedClients) => Credentials>;

const times = <T>(n: number, make: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => make(i)));

export function describeCertified(name: string, makeClient: MakeCertifiedClient): void {
  describe(`${name} against oidc-provider (certified)`, () => {
    const servers = useCertifiedServers();
    const tokenRequests = () => servers.auth.stats.tokenRequests;

    /**
     * A client for the JWT API unless `options` say otherwise (with `issuer`, no `tokenUrl`:
     * discovery); both APIs are in `origins`.
     */
    async function client(options: Credentials & Partial<TokenProviderOptions>) {
      const provider = createTokenProvider({
        ...(options.issuer === undefined ? { tokenUrl: servers.auth.tokenUrl } : {}),
        resource: servers.api.resource,
        scope: 'read',
        ...options,
      });
      return makeClient({ provider, origins: [servers.api.url, servers.opaqueApi.url] });
    }
    const get = (request: UniformClient, api: CertifiedApi, path = '/echo') =>
      request({ url: `${api.url}${path}` });
    const post = (request: UniformClient, api: CertifiedApi, path: string) =>
      request({
        method: 'POST',
        url: `${api.url}${path}`,
        body: { kind: 'json', value: { n: 1 } },
      });

    it.each(Object.keys(METHODS) as Array<keyof typeof METHODS>)(
      'authenticates with %s and calls the API with the token',
      async (method) => {
        const credentials = METHODS[method](servers.auth.clients);
        const request = await client({ ...credentials, clientAuth: method });
        const [first, second] = [await get(request, servers.api), await get(request, servers.api)];
        expect([first.status, second.status]).toEqual([200, 200]);
        expect(JSON.parse(first.body)).toMatchObject({
          client_id: credentials.clientId,
          aud: servers.api.resource,
          scope: 'read',
        });
        expect(tokenRequests()).toMatchObject([
          { status: 200, clientId: credentials.clientId, authMethod: method, tokenType: 'Bearer' },
        ]);
      },
    );

    it('discovers the token endpoint and client authentication from the issuer', async () => {
      const { basic, privateKeyJwt } = servers.auth.clients;
      const { issuer } = servers.auth;
      const bySecret = await client({ ...basic, issuer });
      const byKey = await client({ ...METHODS.private_key_jwt(servers.auth.clients), issuer });
      for (const request of [bySecret, bySecret, byKey]) {
        expect((await get(request, servers.api)).status).toBe(200);
      }
      // One read per provider, of the RFC 8414 document (oidc-provider serves both).
      expect(servers.auth.stats.discovery).toEqual({ oauth: 2, openid: 0 });
      expect(tokenRequests()).toMatchObject([
        { status: 200, clientId: basic.clientId, authMethod: 'client_secret_basic' },
        { status: 200, clientId: privateKeyJwt.clientId, authMethod: 'private_key_jwt' },
      ]);
    });

    it('binds tokens with DPoP: nonces at the token endpoint and the API, a proof per request', async () => {
      const request = await client({ ...servers.auth.clients.dpop, dpop: true });
      const first = await post(request, servers.api, '/echo/first?page=2');
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body)).toMatchObject({ bound: true });
      expect(tokenRequests()).toMatchObject([
        { status: 400, error: 'use_dpop_nonce', dpop: true },
        { status: 200, tokenType: 'DPoP', dpop: true },
      ]);
      const seen = servers.api.requests;
      expect(seen.map((r) => r.dpop?.outcome)).toEqual(['use_dpop_nonce', 'accepted']);
      expect(seen[1]?.authorization).toMatch(/^DPoP /);
      expect(seen[1]?.dpop?.claims).toMatchObject({
        htm: 'POST',
        htu: `${servers.api.url}/echo/first`,
      });

      servers.api.reset();
      const results = await times(20, (i) => post(request, servers.api, `/echo/${i}`));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const jtis = servers.api.requests.map((r) => r.dpop?.claims?.['jti']);
      expect(new Set(jtis).size).toBe(20); // a fresh proof each time, the nonce remembered

      servers.api.reset();
      servers.api.rotateDpopNonce();
      expect((await get(request, servers.api)).status).toBe(200);
      expect(servers.api.requests.map((r) => r.dpop?.outcome)).toEqual([
        'use_dpop_nonce',
        'accepted',
      ]);
      expect(servers.auth.stats.total).toBe(2); // a nonce challenge throws no token away
    });

    it('answers the nonce challenge with a fresh client assertion (private_key_jwt + DPoP)', async () => {
      const request = await client({
        ...METHODS.private_key_jwt(servers.auth.clients),
        clientAuth: 'private_key_jwt',
        dpop: true,
      });
      expect((await get(request, servers.api)).status).toBe(200);
      // oidc-provider authenticates the client before it judges the proof: the challenged
      // request already spent its assertion's jti, so the second one needs a new assertion.
      const { clientId } = servers.auth.clients.privateKeyJwt;
      expect(tokenRequests()).toMatchObject([
        { status: 400, error: 'use_dpop_nonce', clientId, authMethod: 'private_key_jwt' },
        { status: 200, tokenType: 'DPoP', clientId, authMethod: 'private_key_jwt' },
      ]);
    });

    it('asks for its resource: the token is for that API only', async () => {
      const request = await client(servers.auth.clients.basic);
      const ours = await get(request, servers.api);
      expect(ours.status).toBe(200);
      expect(JSON.parse(ours.body)).toMatchObject({ aud: servers.api.resource });
      // The introspecting API is another resource: it refuses the token, and the fresh one.
      const theirs = await get(request, servers.opaqueApi);
      expect(theirs.status).toBe(401);
      expect(servers.opaqueApi.requests.map((r) => r.status)).toEqual([401, 401]);
      expect(tokenRequests().map((r) => [r.status, r.resource])).toEqual([
        [200, servers.api.resource],
        [200, servers.api.resource],
      ]);
    });

    it('surfaces invalid_target for a resource the server does not serve, calling no API', async () => {
      const request = await client({
        ...servers.auth.clients.basic,
        resource: 'https://unknown.example/api',
      });
      const refused = await get(request, servers.api).catch((error: unknown) => error);
      expect(isM2MAuthError(refused)).toBe(true);
      expect(refused).toMatchObject({
        code: 'M2M_OAUTH_ERROR',
        error: 'invalid_target',
        status: 400,
      });
      expect(servers.api.requests).toEqual([]);
    });

    it.each([
      ['Bearer', false, /^Bearer .*error="invalid_token"/],
      ['DPoP', true, /^DPoP error="invalid_token"/],
    ] as const)(
      'after a revocation (%s): one 401, one refresh, one replay, counted at the server',
      async (_scheme, dpop, challenge) => {
        const credentials = dpop ? servers.auth.clients.dpop : servers.auth.clients.basic;
        const api = servers.opaqueApi;
        const request = await client({ ...credentials, resource: api.resource, dpop });
        expect((await post(request, api, '/echo/before')).status).toBe(200);
        servers.auth.stats.reset();
        api.reset();

        expect(await servers.auth.revokeAll()).toBeGreaterThan(0); // earlier tests' too
        expect((await post(request, api, '/echo/after')).status).toBe(200);
        const [refused, replay] = api.requests;
        expect(api.requests.map((r) => r.status)).toEqual([401, 200]);
        expect(refused?.challenge).toMatch(challenge);
        expect(replay?.authorization).not.toBe(refused?.authorization);
        expect(tokenRequests()).toMatchObject([{ status: 200, resource: api.resource }]);
      },
    );

    it('after a revocation, 30 concurrent calls make one token request, each replayed once', async () => {
      const api = servers.opaqueApi;
      const request = await client({ ...servers.auth.clients.basic, resource: api.resource });
      expect((await get(request, api, '/echo/warm')).status).toBe(200);
      servers.auth.stats.reset();
      api.reset();
      await servers.auth.revokeAll();
      const results = await times(30, (i) => get(request, api, `/echo/${i}`));
      expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
      expect(servers.auth.stats.total).toBe(1);
      for (let i = 0; i < 30; i++) {
        const attempts = api.requests.filter((r) => r.path === `/echo/${i}`);
        expect(attempts.map((r) => r.status)).toEqual([401, 200]);
      }
    });

    it('makes exactly one token request for 100 concurrent cold calls, counted inside oidc-provider', async () => {
      const request = await client(servers.auth.clients.basic);
      const results = await times(100, (i) => get(request, servers.api, `/echo/${i}`));
      expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
      expect(tokenRequests()).toMatchObject([{ status: 200 }]);
    });

    it('with DPoP, 100 concurrent cold calls make one token request after the nonce challenge', async () => {
      const request = await client({ ...servers.auth.clients.dpop, dpop: true });
      const results = await times(100, (i) => get(request, servers.api, `/echo/${i}`));
      expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
      expect(tokenRequests().map((r) => [r.status, r.error ?? r.tokenType])).toEqual([
        [400, 'use_dpop_nonce'],
        [200, 'DPoP'],
      ]);
    });

    certifiedGrantTests(servers, client);
  });
}
