import { createTokenProvider } from '@m2m-auth/core';
import { decodeJwt, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDpopProof, generateClientKeys, generateDpopKeys } from '../src/index.ts';
import {
  assertionForm,
  basic,
  failure,
  seconds,
  signJwt,
  tokenRequest,
  useVendorServer,
} from './vendor-helpers.ts';

const first = await generateClientKeys('RS256', 'okta-key-1');
const second = await generateClientKeys('ES256', 'okta-key-2');
const twoKeys: { keys: JWK[] } = { keys: [...first.jwks.keys, ...second.jwks.keys] };
const servers = useVendorServer(() => [
  {
    clientId: 'post-app',
    clientSecret: 'post-secret',
    tokenEndpointAuthMethod: 'client_secret_post',
  },
  {
    clientId: 'jwt-app',
    clientSecret: 'unused-jwt-secret',
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: twoKeys,
  },
  {
    clientId: 'one-key-app',
    clientSecret: 'unused-one-key-secret',
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: first.jwks,
  },
  {
    clientId: 'hs-app',
    clientSecret: 'a-shared-secret-of-at-least-32-bytes!',
    tokenEndpointAuthMethod: 'client_secret_jwt',
  },
  {
    clientId: 'dpop-app',
    clientSecret: 'unused-dpop-secret',
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: first.jwks,
    dpopBoundAccessTokens: true,
  },
]);
const tokenUrl = () => servers.auth.tokenUrl('okta');
const orgUrl = () => `${servers.auth.url}/oauth2/v1/token`;
const grant = { grant_type: 'client_credentials', scope: 'api:read' };
const FAILED =
  'Client authentication failed. Either the client or the client credentials are invalid.';

interface AssertionOptions {
  keys?: typeof first;
  /** `null`: no kid header. @default the key's */
  kid?: string | null;
  aud?: string;
}
const assertion = (
  clientId: string,
  claims: Record<string, unknown> = {},
  options: AssertionOptions = {},
) => {
  const keys = options.keys ?? first;
  const kid = options.kid === null ? undefined : (options.kid ?? keys.kid);
  return signJwt(
    {
      iss: clientId,
      sub: clientId,
      aud: options.aud ?? tokenUrl(),
      exp: seconds(300),
      jti: crypto.randomUUID(),
      ...claims,
    },
    keys.privateKey,
    { alg: keys.alg, ...(kid ? { kid } : {}) },
  );
};

describe('okta profile (Okta client credentials)', () => {
  it('answers Basic (the default method) with a custom scope on the default server', async () => {
    expect(tokenUrl()).toBe(`${servers.auth.url}/oauth2/default/v1/token`);
    const ok = await tokenRequest(tokenUrl(), grant, basic('demo-client', 'demo-secret'));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'api:read' });
  });

  it('refuses a wrong secret and a method the app is not registered for, in Okta words', async () => {
    const wrong = await tokenRequest(tokenUrl(), grant, basic('demo-client', 'nope'));
    expect(wrong.body).toEqual({
      error: 'invalid_client',
      error_description: 'The client secret supplied for a confidential client is invalid.',
    });
    expect(wrong.status).toBe(401);
    const viaPost = await tokenRequest(tokenUrl(), {
      ...grant,
      client_id: 'demo-client',
      client_secret: 'demo-secret',
    });
    expect(viaPost.body).toEqual({ error: 'invalid_client', error_description: FAILED });
    const postApp = await tokenRequest(tokenUrl(), {
      ...grant,
      client_id: 'post-app',
      client_secret: 'post-secret',
    });
    expect(postApp.status).toBe(200);
    const unknown = await tokenRequest(tokenUrl(), grant, basic('stranger', 'x'));
    expect([unknown.status, unknown.body['error_description']]).toEqual([401, FAILED]);
  });

  it('needs at least one custom scope on a custom server', async () => {
    const none = await tokenRequest(
      tokenUrl(),
      { grant_type: 'client_credentials' },
      basic('demo-client', 'demo-secret'),
    );
    expect(failure(none)).toEqual({ status: 400, error: 'invalid_scope' });
    const oidc = await tokenRequest(
      tokenUrl(),
      { ...grant, scope: 'openid' },
      basic('demo-client', 'demo-secret'),
    );
    expect(failure(oidc)).toEqual({ status: 400, error: 'invalid_scope' });
  });

  it('answers an unknown authorization server id with Okta 404 E0000007', async () => {
    const answer = await tokenRequest(
      `${servers.auth.url}/oauth2/aus-nope/v1/token`,
      grant,
      basic('demo-client', 'demo-secret'),
    );
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ errorCode: 'E0000007' });
  });

  it('accepts private_key_jwt with the kid of one of two keys, and without kid for a single key', async () => {
    const withKid = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(await assertion('jwt-app', {}, { keys: second })),
    });
    expect(withKid.status).toBe(200);
    const noKid = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(await assertion('one-key-app', {}, { kid: null })),
    });
    expect(noKid.status).toBe(200);
  });

  it.each([
    ['no kid while the app has two keys', 'jwt-app', {}, { kid: null }],
    ['exp more than an hour ahead', 'one-key-app', { exp: seconds(3700) }, {}],
    ['an expired assertion', 'one-key-app', { exp: seconds(-10) }, {}],
    ['iat in the future', 'one-key-app', { iat: seconds(120) }, {}],
    ['aud the issuer, not the token URL', 'one-key-app', {}, { aud: 'ISSUER' }],
    ['a kid the app does not have', 'one-key-app', {}, { kid: 'nope' }],
  ])(
    'refuses private_key_jwt with %s (401 invalid_client)',
    async (_, clientId, claims, options: AssertionOptions) => {
      const aud = options.aud === 'ISSUER' ? servers.auth.url : options.aud;
      const jwt = await assertion(clientId, claims, { ...options, ...(aud ? { aud } : {}) });
      expect(failure(await tokenRequest(tokenUrl(), { ...grant, ...assertionForm(jwt) }))).toEqual({
        status: 401,
        error: 'invalid_client',
      });
    },
  );

  it('takes a jti once', async () => {
    const form = { ...grant, ...assertionForm(await assertion('one-key-app')) };
    expect((await tokenRequest(tokenUrl(), form)).status).toBe(200);
    expect(failure(await tokenRequest(tokenUrl(), form))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
  });

  it('accepts client_secret_jwt (HS256 with the secret)', async () => {
    const jwt = await signJwt(
      { iss: 'hs-app', sub: 'hs-app', aud: tokenUrl(), exp: seconds(60) },
      new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!'),
      { alg: 'HS256' },
    );
    expect((await tokenRequest(tokenUrl(), { ...grant, ...assertionForm(jwt) })).status).toBe(200);
  });

  it('holds the org authorization server to private_key_jwt and okta.* scopes', async () => {
    const jwt = await assertion('one-key-app', {}, { aud: orgUrl() });
    const ok = await tokenRequest(orgUrl(), {
      grant_type: 'client_credentials',
      scope: 'okta.users.read',
      ...assertionForm(jwt),
    });
    expect(ok.status).toBe(200);
    const custom = await tokenRequest(orgUrl(), {
      grant_type: 'client_credentials',
      ...assertionForm(await assertion('one-key-app', {}, { aud: orgUrl() })),
      scope: 'api:read',
    });
    expect(custom.body).toEqual({
      error: 'invalid_scope',
      error_description: 'Custom scopes are not allowed for this request.',
    });
    const viaBasic = await tokenRequest(
      orgUrl(),
      { grant_type: 'client_credentials', scope: 'okta.users.read' },
      basic('demo-client', 'demo-secret'),
    );
    expect(failure(viaBasic)).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('answers an app that requires DPoP with use_dpop_nonce first, then a DPoP-bound token', async () => {
    const keys = await generateDpopKeys();
    const request = async (nonce?: string) =>
      tokenRequest(
        tokenUrl(),
        { ...grant, ...assertionForm(await assertion('dpop-app')) },
        { dpop: await createDpopProof({ ...keys, htm: 'POST', htu: tokenUrl(), nonce }) },
      );
    const firstAnswer = await request();
    expect(firstAnswer.status).toBe(400);
    expect(firstAnswer.body).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'Authorization server requires nonce in DPoP proof.',
    });
    const nonce = firstAnswer.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const ok = await request(nonce ?? undefined);
    expect(ok.body).toMatchObject({ token_type: 'DPoP' });
    expect(decodeJwt(String(ok.body['access_token']))['cnf']).toEqual({ jkt: keys.jkt });
    const noProof = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(await assertion('dpop-app')),
    });
    expect(failure(noProof)).toEqual({ status: 400, error: 'invalid_dpop_proof' });
  });

  it("core's provider gets an org authorization server token with private_key_jwt", async () => {
    const tokens = createTokenProvider({
      tokenUrl: orgUrl(),
      clientId: 'one-key-app',
      clientAssertion: { privateKey: first.privateJwk },
      scope: 'okta.users.read',
    });
    expect((await tokens.getToken()).scope).toBe('okta.users.read');
  });

  it("core's provider gets tokens with Basic, post, client_secret_jwt, private_key_jwt + kid, and DPoP", async () => {
    const base = { tokenUrl: tokenUrl(), scope: 'api:read' };
    const providers = [
      createTokenProvider({ ...base, clientId: 'demo-client', clientSecret: 'demo-secret' }),
      createTokenProvider({
        ...base,
        clientId: 'post-app',
        clientSecret: 'post-secret',
        clientAuth: 'client_secret_post',
      }),
      createTokenProvider({
        ...base,
        clientId: 'hs-app',
        clientSecret: 'a-shared-secret-of-at-least-32-bytes!',
        clientAuth: 'client_secret_jwt',
      }),
      createTokenProvider({
        ...base,
        clientId: 'jwt-app',
        clientAssertion: { privateKey: second.privateJwk },
      }),
      createTokenProvider({
        ...base,
        clientId: 'dpop-app',
        clientAssertion: { privateKey: first.privateJwk },
        dpop: true,
      }),
    ];
    const tokens = [];
    for (const provider of providers) tokens.push(await provider.getToken());
    expect(tokens.map((t) => t.tokenType)).toEqual([
      'Bearer',
      'Bearer',
      'Bearer',
      'Bearer',
      'DPoP',
    ]);
    expect(servers.auth.stats.requests.map((r) => [r.clientId, r.authMethod, r.status])).toEqual([
      ['demo-client', 'basic', 200],
      ['post-app', 'post', 200],
      ['hs-app', 'client_secret_jwt', 200],
      ['jwt-app', 'private_key_jwt', 200],
      ['dpop-app', 'private_key_jwt', 400],
      ['dpop-app', 'private_key_jwt', 200],
    ]);
    expect(servers.auth.stats.assertions.find((a) => a.claims.sub === 'jwt-app')?.header.kid).toBe(
      'okta-key-2',
    );
  });
});
