// The certified server's jwt-bearer (RFC 7523 §2.1) and token exchange (RFC 8693) grants,
// driven by hand: what they accept, what they refuse and why, and that oidc-provider
// authenticates the client before either runs.
import { decodeJwt } from 'jose';
import { beforeEach, expect, it } from 'vitest';
import { JWT_BEARER } from '../src/certified/jwt-bearer-grant.ts';
import { TOKEN_EXCHANGE } from '../src/certified/token-exchange-grant.ts';
import { useCertifiedServers } from '../src/conformance/index.ts';
import type { CertifiedApi, CertifiedServer } from '../src/index.ts';

const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';

const servers = useCertifiedServers();
let auth: CertifiedServer;
let api: CertifiedApi;
let opaqueApi: CertifiedApi;
beforeEach(() => {
  ({ auth, api, opaqueApi } = servers);
});

interface Answer {
  access_token?: string;
  issued_token_type?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

/** A token request as the post client (client_secret_post), or with `secret` for its secret. */
async function token(params: Record<string, string>, secret?: string) {
  const { clientId, clientSecret } = auth.clients.post;
  const response = await fetch(auth.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: clientId,
      client_secret: secret ?? clientSecret,
      ...params,
    }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

const accessToken = async (resource: string) =>
  (await token({ grant_type: 'client_credentials', resource, scope: 'read' })).body.access_token ??
  '';

const assertion = (claims: Record<string, unknown> = {}, expiresIn?: number) =>
  auth.trustedIssuer.sign(
    { sub: 'alice', aud: auth.tokenUrl, jti: crypto.randomUUID(), ...claims },
    expiresIn,
  );

const call = (target: CertifiedApi, value: string | undefined) =>
  fetch(`${target.url}/echo`, { headers: { authorization: `Bearer ${value}` } });

it('jwt-bearer: a trusted assertion gets a token the API accepts; its jti only once', async () => {
  const signed = await assertion();
  const first = await token({
    grant_type: JWT_BEARER,
    assertion: signed,
    resource: api.resource,
    scope: 'read',
  });
  expect(first).toMatchObject({ status: 200, body: { scope: 'read' } });
  expect(decodeJwt(first.body.access_token ?? '')).toMatchObject({
    client_id: auth.clients.post.clientId,
    assertion_iss: auth.trustedIssuer.issuer,
    assertion_sub: 'alice',
    aud: api.resource,
  });
  expect((await call(api, first.body.access_token)).status).toBe(200);
  const replay = await token({ grant_type: JWT_BEARER, assertion: signed, resource: api.resource });
  expect(replay).toMatchObject({
    status: 400,
    body: { error: 'invalid_grant', error_description: 'the assertion was used before (jti)' },
  });
});

it('jwt-bearer: aud may be the issuer; a wrong aud, an expiry, no jti or another key are invalid_grant', async () => {
  const ok = await token({
    grant_type: JWT_BEARER,
    assertion: await assertion({ aud: auth.issuer }),
    resource: api.resource,
  });
  expect(ok.status).toBe(200);
  const cases: Array<[Promise<string>, string]> = [
    [assertion({ aud: api.resource }), 'the assertion has a wrong or missing aud claim'],
    [assertion({}, -60), 'the assertion expired'],
    [assertion({ jti: undefined }), 'the assertion has a wrong or missing jti claim'],
    [
      Promise.resolve(auth.clients.post.clientSecret),
      'the assertion is not a valid JWT of a trusted issuer',
    ],
  ];
  for (const [signed, description] of cases) {
    const refused = await token({
      grant_type: JWT_BEARER,
      assertion: await signed,
      resource: api.resource,
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: description },
    });
  }
});

it('authenticates the client first: a wrong secret is invalid_client, whatever the grant', async () => {
  for (const params of [
    { grant_type: JWT_BEARER, assertion: await assertion() },
    {
      grant_type: TOKEN_EXCHANGE,
      subject_token: await accessToken(api.resource),
      subject_token_type: ACCESS_TOKEN,
    },
  ]) {
    const refused = await token({ ...params, resource: api.resource }, 'wrong');
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  }
});

it('token exchange: an access token of the server (JWT or opaque) for another resource, within its scopes', async () => {
  for (const subject of [await accessToken(api.resource), await accessToken(opaqueApi.resource)]) {
    const exchanged = await token({
      grant_type: TOKEN_EXCHANGE,
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN,
      resource: opaqueApi.resource,
    });
    expect(exchanged).toMatchObject({
      status: 200,
      body: { issued_token_type: ACCESS_TOKEN, scope: 'read' },
    });
    expect((await call(opaqueApi, exchanged.body.access_token)).status).toBe(200);
  }
  const wider = await token({
    grant_type: TOKEN_EXCHANGE,
    subject_token: await accessToken(api.resource),
    subject_token_type: ACCESS_TOKEN,
    resource: opaqueApi.resource,
    scope: 'read write',
  });
  expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
});

it('token exchange: a trusted JWT subject, an actor (act claim), audience as the resource', async () => {
  const exchanged = await token({
    grant_type: TOKEN_EXCHANGE,
    subject_token: await auth.trustedIssuer.sign({ sub: 'alice', aud: auth.issuer }),
    subject_token_type: JWT,
    actor_token: await auth.trustedIssuer.sign({ sub: 'orders-service', aud: auth.issuer }),
    actor_token_type: JWT,
    audience: api.resource,
  });
  expect(exchanged.status).toBe(200);
  expect(decodeJwt(exchanged.body.access_token ?? '')).toMatchObject({
    subject_sub: 'alice',
    act: { sub: 'orders-service' },
    aud: api.resource,
  });
});

it('token exchange refuses a revoked, forged or unsupported subject, and a missing resource', async () => {
  const revoked = await accessToken(opaqueApi.resource);
  await auth.revoke(revoked);
  const base = {
    grant_type: TOKEN_EXCHANGE,
    subject_token_type: ACCESS_TOKEN,
    resource: api.resource,
  };
  const cases: Array<[Record<string, string>, string, string]> = [
    [
      { subject_token: revoked },
      'invalid_grant',
      'the subject token is not an active access token of this server',
    ],
    [
      { subject_token: `${await accessToken(api.resource)}x` },
      'invalid_grant',
      'the subject token is not a valid JWT of a trusted issuer',
    ],
    [
      {
        subject_token: await auth.trustedIssuer.sign({ sub: 'alice', aud: api.resource }),
        subject_token_type: JWT,
      },
      'invalid_grant',
      'the subject token has a wrong or missing aud claim',
    ],
    [
      { subject_token: revoked, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' },
      'invalid_request',
      '',
    ],
    [{ subject_token: await accessToken(api.resource), resource: '' }, 'invalid_target', ''],
  ];
  for (const [params, error, description] of cases) {
    const refused = await token({ ...base, ...params });
    expect(refused).toMatchObject({ status: 400, body: { error } });
    if (description) expect(refused.body.error_description).toBe(description);
    expect(JSON.stringify(refused.body)).not.toContain(params['subject_token']);
  }
  expect(
    auth.stats.tokenRequests.filter((r) => r.grantType === TOKEN_EXCHANGE).map((r) => r.status),
  ).toEqual(Array(cases.length).fill(400));
});

it('binds to DPoP as oidc-provider does: a DPoP-bound client without a proof is invalid_grant', async () => {
  const { clientId, clientSecret } = auth.clients.dpop;
  const response = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}` },
    body: new URLSearchParams({
      grant_type: JWT_BEARER,
      assertion: await assertion(),
      resource: api.resource,
    }),
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
});
