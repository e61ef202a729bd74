import { createTokenProvider } from '@m2m-auth/core';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIENCE, generateClientKeys } from '../src/index.ts';
import {
  assertionForm,
  basic,
  changed,
  failure,
  seconds,
  signJwt,
  tokenRequest,
  useApi,
  useVendorServer,
} from './vendor-helpers.ts';

const API = 'https://api.example.com';
const keys = await generateClientKeys('RS256', 'auth0-credential-1');
const servers = useVendorServer(() => [
  {
    clientId: 'basic-app',
    clientSecret: 'basic-secret',
    tokenEndpointAuthMethod: 'client_secret_basic',
    audiences: [API, DEFAULT_AUDIENCE],
    scopes: ['read:things', 'write:things'],
  },
  {
    clientId: 'jwt-app',
    clientSecret: 'unused-jwt-app-secret',
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: keys.jwks,
  },
]);
const api = useApi(servers);

const tokenUrl = () => servers.auth.tokenUrl('auth0');
const postForm = {
  grant_type: 'client_credentials',
  client_id: 'demo-client',
  client_secret: 'demo-secret',
  audience: DEFAULT_AUDIENCE,
};
const UNAUTHORIZED = { status: 401, error: 'access_denied' };

const assertion = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signJwt(
    {
      iss: 'jwt-app',
      sub: 'jwt-app',
      aud: `${servers.auth.url}/`,
      jti: crypto.randomUUID(),
      exp: seconds(60),
      ...claims,
    },
    keys.privateKey,
    { alg: 'RS256', ...header },
  );
const jwtForm = async (claims?: Record<string, unknown>, header?: Record<string, unknown>) => ({
  grant_type: 'client_credentials',
  audience: DEFAULT_AUDIENCE,
  ...assertionForm(await assertion(claims, header)),
});

describe('auth0 profile (Auth0 client credentials)', () => {
  it('answers Client Secret (Post) with audience: a 24 h JWT for that API', async () => {
    expect(tokenUrl()).toBe(`${servers.auth.url}/oauth/token`);
    const ok = await tokenRequest(tokenUrl(), postForm);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 86_400 });
    expect(decodeJwt(String(ok.body['access_token']))).toMatchObject({ aud: DEFAULT_AUDIENCE });
  });

  it('answers a request without audience with an opaque token no API accepts', async () => {
    const { audience: _, ...noAudience } = postForm;
    const ok = await tokenRequest(tokenUrl(), noAudience);
    expect(ok.status).toBe(200);
    const token = String(ok.body['access_token']);
    expect(token.split('.')).toHaveLength(1);
    const call = await fetch(`${api.api.url}/echo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(call.status).toBe(401);
  });

  it.each([
    ['a wrong secret', { client_secret: 'nope' }],
    ['an unknown client', { client_id: 'stranger' }],
    ['no credentials', { client_secret: undefined }],
  ])('refuses %s with 401 access_denied "Unauthorized"', async (_, change) => {
    const form = changed(postForm, change);
    const answer = await tokenRequest(tokenUrl(), form);
    expect(answer.body).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
    expect(answer.status).toBe(401);
  });

  it('holds each application to its one method: Basic for a Post app is refused', async () => {
    const viaBasic = await tokenRequest(
      tokenUrl(),
      { grant_type: 'client_credentials', audience: DEFAULT_AUDIENCE },
      basic('demo-client', 'demo-secret'),
    );
    expect(failure(viaBasic)).toEqual(UNAUTHORIZED);
    const basicApp = await tokenRequest(
      tokenUrl(),
      { grant_type: 'client_credentials', audience: API },
      basic('basic-app', 'basic-secret'),
    );
    expect(basicApp.status).toBe(200);
    expect(basicApp.body['scope']).toBe('read:things write:things');
  });

  it('refuses an API the client has no grant for, and an unknown API, with 403', async () => {
    const ungranted = await tokenRequest(tokenUrl(), { ...postForm, audience: API });
    expect(failure(ungranted)).toEqual({ status: 403, error: 'access_denied' });
    expect(ungranted.body['error_description']).toMatch(
      /^Client is not authorized to access "https:\/\/api\.example\.com"\. You need to create a "client-grant"/,
    );
    const unknown = await tokenRequest(tokenUrl(), {
      ...postForm,
      audience: 'https://nowhere.example',
    });
    expect(unknown.body).toEqual({
      error: 'access_denied',
      error_description: 'Service not found: https://nowhere.example',
    });
  });

  it('refuses a scope the grant does not hold with 403', async () => {
    const answer = await tokenRequest(
      tokenUrl(),
      { grant_type: 'client_credentials', audience: API, scope: 'read:things delete:things' },
      basic('basic-app', 'basic-secret'),
    );
    expect(failure(answer)).toEqual({ status: 403, error: 'access_denied' });
    expect(answer.body['error_description']).toBe(
      'Client has not been granted scopes: delete:things',
    );
  });

  it('accepts Private Key JWT with aud the tenant URL and its trailing slash, kid optional', async () => {
    expect((await tokenRequest(tokenUrl(), await jwtForm())).status).toBe(200);
    expect((await tokenRequest(tokenUrl(), await jwtForm({}, { kid: keys.kid }))).status).toBe(200);
  });

  it.each([
    ['aud without the trailing slash', { aud: 'URL' }, {}],
    ['aud the token URL', { aud: 'TOKEN_URL' }, {}],
    ['a lifetime over 5 minutes', { iat: seconds(), exp: seconds(301) }, {}],
    ['no jti', { jti: undefined }, {}],
    ['a kid that is not the credential', {}, { kid: 'other-key' }],
    ['an expired assertion', { iat: seconds(-120), exp: seconds(-60) }, {}],
  ])('refuses Private Key JWT with %s', async (_, claims: Record<string, unknown>, header) => {
    const fixed = {
      ...claims,
      ...(claims['aud'] === 'URL' ? { aud: servers.auth.url } : {}),
      ...(claims['aud'] === 'TOKEN_URL' ? { aud: tokenUrl() } : {}),
    };
    expect(failure(await tokenRequest(tokenUrl(), await jwtForm(fixed, header)))).toEqual(
      UNAUTHORIZED,
    );
  });

  it("core's provider gets tokens with post, Basic and private_key_jwt", async () => {
    const post = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      clientAuth: 'client_secret_post',
      audience: DEFAULT_AUDIENCE,
    });
    const viaBasic = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'basic-app',
      clientSecret: 'basic-secret',
      audience: API,
      scope: 'read:things',
    });
    const jwt = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'jwt-app',
      clientAssertion: { privateKey: keys.privateJwk, audience: `${servers.auth.url}/` },
      audience: DEFAULT_AUDIENCE,
    });
    for (const tokens of [post, viaBasic, jwt]) await tokens.getToken();
    expect(servers.auth.stats.requests.map((r) => [r.clientId, r.authMethod, r.status])).toEqual([
      ['demo-client', 'post', 200],
      ['basic-app', 'basic', 200],
      ['jwt-app', 'private_key_jwt', 200],
    ]);
  });

  it("core's provider reads a clientSecret function again on 401 access_denied, as on invalid_client", async () => {
    let reads = 0;
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: () => (reads++ === 0 ? 'stale-secret' : 'demo-secret'),
      clientAuth: 'client_secret_post',
      audience: DEFAULT_AUDIENCE,
    });
    await tokens.getToken();
    expect(servers.auth.stats.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(reads).toBe(2);
  });

  it("core's provider without audience gets the opaque token, and the API refuses it", async () => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      clientAuth: 'client_secret_post',
    });
    const { accessToken, expiresAt } = await tokens.getToken();
    expect(expiresAt - Date.now()).toBeGreaterThan(86_000_000);
    const call = await fetch(`${api.api.url}/echo`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(call.status).toBe(401);
  });
});
