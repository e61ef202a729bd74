// The certified server and its APIs driven by hand (no m2m-auth client): what oidc-provider
// issues and refuses, and that the APIs judge tokens by its rules alone.
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  type CertifiedApi,
  type CertifiedServer,
  createDpopProof,
  generateDpopKeys,
  type SecretClient,
  startCertifiedApi,
  startCertifiedServer,
} from '../src/index.ts';

let auth: CertifiedServer;
let api: CertifiedApi;
let opaqueApi: CertifiedApi;
beforeAll(async () => {
  auth = await startCertifiedServer();
  api = await startCertifiedApi({ server: auth, format: 'jwt' });
  opaqueApi = await startCertifiedApi({ server: auth, format: 'opaque' });
});
afterAll(async () => {
  await Promise.all([api.close(), opaqueApi.close()]);
  await auth.close();
});
beforeEach(() => {
  auth.stats.reset();
  api.reset();
  opaqueApi.reset();
});

const basic = ({ clientId, clientSecret }: SecretClient) =>
  `Basic ${btoa(`${clientId}:${clientSecret}`)}`;

/** A client_credentials request with the credentials in the body (client_secret_post). */
const tokenRequest = (client: SecretClient, resource: string) =>
  fetch(auth.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      resource,
    }),
  });

async function token(resource: string): Promise<string> {
  const response = await tokenRequest(auth.clients.post, resource);
  return ((await response.json()) as { access_token: string }).access_token;
}

const call = (target: CertifiedApi, authorization: string, dpop?: string) =>
  fetch(`${target.url}/echo`, { headers: { authorization, ...(dpop ? { dpop } : {}) } });

it('issues RFC 9068 JWTs for the JWT API, which verifies them against jwks_uri', async () => {
  const jwt = await token(api.resource);
  expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
  const ok = await call(api, `Bearer ${jwt}`);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({
    client_id: auth.clients.post.clientId,
    aud: api.resource,
  });

  const [header, , signature] = jwt.split('.');
  const forged = btoa(JSON.stringify({ aud: api.resource, client_id: 'x', exp: 2e9 }));
  const refused = await call(api, `Bearer ${header}.${forged.replace(/=+$/, '')}.${signature}`);
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  // An opaque token is not a JWT; the introspecting API cannot introspect a JWT.
  expect((await call(api, `Bearer ${await token(opaqueApi.resource)}`)).status).toBe(401);
  expect((await call(opaqueApi, `Bearer ${jwt}`)).status).toBe(401);
});

it('introspects opaque tokens: a revoked one is refused at once, as is another resource’s', async () => {
  const opaque = await token(opaqueApi.resource);
  expect((await call(opaqueApi, `Bearer ${opaque}`)).status).toBe(200);
  await auth.revoke(opaque);
  const revoked = await call(opaqueApi, `Bearer ${opaque}`);
  expect(revoked.status).toBe(401);
  expect(opaqueApi.requests[1]?.challenge).toMatch(/^Bearer .*error="invalid_token"/);

  auth.registerResource('https://elsewhere.example/api', 'opaque');
  const elsewhere = await token('https://elsewhere.example/api');
  expect((await call(opaqueApi, `Bearer ${elsewhere}`)).status).toBe(401);
  expect(opaqueApi.requests[2]?.challenge).toMatch(/not for this API \(aud\)/);
  expect(await auth.revokeAll()).toBeGreaterThanOrEqual(1);
  expect(await auth.revokeAll()).toBe(0);
});

it('counts every token request inside the server, the refused ones too', async () => {
  const wrong = await tokenRequest({ ...auth.clients.post, clientSecret: 'wrong' }, api.resource);
  expect(wrong.status).toBe(401);
  // The DPoP client's tokens must be bound: no proof, no token.
  const unbound = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { authorization: basic(auth.clients.dpop) },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: api.resource }),
  });
  expect(unbound.status).toBe(400);
  await token(api.resource);
  expect(auth.stats.tokenRequests.map((r) => [r.status, r.error])).toEqual([
    [401, 'invalid_client'],
    [400, 'invalid_grant'],
    [200, undefined],
  ]);
  expect(auth.stats).toMatchObject({ total: 3, issued: 1 });
});

it('binds tokens to a DPoP key, with nonces at the token endpoint and at the API', async () => {
  const keys = await generateDpopKeys();
  const bound = async (nonce?: string) =>
    fetch(auth.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: basic(auth.clients.dpop),
        dpop: await createDpopProof({ ...keys, htm: 'POST', htu: auth.tokenUrl, nonce }),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: api.resource }),
    });
  const challenged = await bound();
  expect(challenged.status).toBe(400);
  expect(await challenged.json()).toMatchObject({ error: 'use_dpop_nonce' });
  const issued = await bound(challenged.headers.get('dpop-nonce') ?? undefined);
  const { access_token, token_type } = (await issued.json()) as Record<string, string>;
  expect(token_type).toBe('DPoP');

  const proof = (nonce?: string) =>
    createDpopProof({
      ...keys,
      htm: 'GET',
      htu: `${api.url}/echo`,
      nonce,
      accessToken: access_token,
    });
  const asBearer = await call(api, `Bearer ${access_token}`);
  expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
  const noNonce = await call(api, `DPoP ${access_token}`, await proof());
  expect(noNonce.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce"/);
  const ok = await call(
    api,
    `DPoP ${access_token}`,
    await proof(noNonce.headers.get('dpop-nonce') ?? ''),
  );
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ bound: true });
  expect(auth.stats.tokenRequests.map((r) => [r.status, r.dpop, r.tokenType])).toEqual([
    [400, true, undefined],
    [200, true, 'DPoP'],
  ]);
});
