import { createHmac } from 'node:crypto';
import { createTokenProvider } from '@m2m-auth/core';
import { describe, expect, it } from 'vitest';
import { generateClientKeys } from '../src/index.ts';
import { SALESFORCE_ORG_ID } from '../src/vendors/salesforce.ts';
import {
  basic,
  failure,
  seconds,
  signJwt,
  tokenRequest,
  useApi,
  useVendorServer,
} from './vendor-helpers.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CONSUMER_KEY = '3MVG9m2mAuthTestConsumerKey';
const CONSUMER_SECRET = 'consumer-secret-1';
const USER = 'integration@m2m-auth.example';
const key = await generateClientKeys('RS256');
const servers = useVendorServer(() => [
  { clientId: CONSUMER_KEY, clientSecret: CONSUMER_SECRET, jwks: key.jwks, users: [USER] },
  { clientId: 'no-run-as', clientSecret: 'no-run-as-secret', users: [] },
]);
const api = useApi(servers);

const tokenUrl = () => servers.auth.tokenUrl('salesforce');
const ccForm = {
  grant_type: 'client_credentials',
  client_id: CONSUMER_KEY,
  client_secret: CONSUMER_SECRET,
};
const bearer = async (claims: Record<string, unknown> = {}) =>
  tokenRequest(tokenUrl(), {
    grant_type: JWT_BEARER,
    assertion: await signJwt(
      { iss: CONSUMER_KEY, sub: USER, aud: servers.auth.url, exp: seconds(170), ...claims },
      key.privateKey,
      { alg: 'RS256' },
    ),
  });
const invalidGrant = (description: string) => ({
  error: 'invalid_grant',
  error_description: description,
});

describe('salesforce profile (Salesforce client credentials and JWT bearer flows)', () => {
  it('answers client credentials with no expires_in, an opaque token, instance_url, id, signature', async () => {
    expect(tokenUrl()).toBe(`${servers.auth.url}/services/oauth2/token`);
    const before = Date.now();
    const ok = await tokenRequest(tokenUrl(), ccForm);
    expect(ok.status).toBe(200);
    const { access_token, instance_url, id, issued_at, signature, token_type, scope } = ok.body;
    expect(Object.keys(ok.body).sort()).toEqual([
      'access_token',
      'id',
      'instance_url',
      'issued_at',
      'scope',
      'signature',
      'token_type',
    ]);
    expect(String(access_token)).toMatch(/^00DM2MAUTHTEST0!/);
    expect(String(access_token)).not.toContain('.');
    expect([instance_url, token_type, scope]).toEqual([servers.auth.url, 'Bearer', 'api']);
    expect(id).toMatch(new RegExp(`^${servers.auth.url}/id/${SALESFORCE_ORG_ID}/005[0-9A-F]{15}$`));
    expect(Number(issued_at)).toBeGreaterThanOrEqual(before);
    expect(typeof issued_at).toBe('string');
    const expected = createHmac('sha256', CONSUMER_SECRET)
      .update(`${id}${issued_at}`)
      .digest('base64');
    expect(signature).toBe(expected);
    const call = () =>
      fetch(`${api.api.url}/echo`, { headers: { authorization: `Bearer ${access_token}` } });
    expect((await call()).status).toBe(200);
    servers.auth.control.revoke(String(access_token));
    expect((await call()).status).toBe(401);
  });

  it('takes the consumer key and secret with Basic too', async () => {
    const ok = await tokenRequest(
      tokenUrl(),
      { grant_type: 'client_credentials' },
      basic(CONSUMER_KEY, CONSUMER_SECRET),
    );
    expect(ok.status).toBe(200);
  });

  it('refuses an unknown consumer key, a wrong secret, an app with no Run As user', async () => {
    const unknown = await tokenRequest(tokenUrl(), { ...ccForm, client_id: 'nope' });
    expect([unknown.status, unknown.body]).toEqual([
      400,
      { error: 'invalid_client_id', error_description: 'client identifier invalid' },
    ]);
    const wrong = await tokenRequest(tokenUrl(), { ...ccForm, client_secret: 'nope' });
    expect([wrong.status, wrong.body]).toEqual([
      400,
      { error: 'invalid_client', error_description: 'invalid client credentials' },
    ]);
    const noUser = await tokenRequest(tokenUrl(), {
      ...ccForm,
      client_id: 'no-run-as',
      client_secret: 'no-run-as-secret',
    });
    expect([noUser.status, noUser.body]).toEqual([
      400,
      invalidGrant('no client credentials user enabled'),
    ]);
  });

  it('answers the JWT bearer flow: iss the consumer key, sub the user, aud the login host', async () => {
    const ok = await bearer();
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual([
      'access_token',
      'id',
      'instance_url',
      'scope',
      'token_type',
    ]);
    expect(ok.body['id']).toMatch(new RegExp(`/id/${SALESFORCE_ORG_ID}/005`));
  });

  it.each([
    ['aud another host', { aud: 'https://login.salesforce.com' }, 'audience is invalid'],
    ['aud the token URL', { aud: 'TOKEN_URL' }, 'audience is invalid'],
    [
      'a user who has not approved the app',
      { sub: 'someone@else.example' },
      "user hasn't approved this consumer",
    ],
    ['an expired assertion', { exp: seconds(-5) }, 'expired authorization code'],
    ['exp more than 3 minutes ahead', { exp: seconds(600) }, 'invalid assertion'],
  ])(
    'refuses a JWT bearer assertion with %s',
    async (_, claims: Record<string, unknown>, description) => {
      const fixed = claims['aud'] === 'TOKEN_URL' ? { ...claims, aud: tokenUrl() } : claims;
      const answer = await bearer(fixed);
      expect([answer.status, answer.body]).toEqual([400, invalidGrant(description)]);
    },
  );

  it('refuses an assertion signed by another key, or of an unknown consumer key', async () => {
    const other = await generateClientKeys('RS256');
    const forged = await signJwt(
      { iss: CONSUMER_KEY, sub: USER, aud: servers.auth.url, exp: seconds(60) },
      other.privateKey,
      { alg: 'RS256' },
    );
    expect(
      (await tokenRequest(tokenUrl(), { grant_type: JWT_BEARER, assertion: forged })).body,
    ).toEqual(invalidGrant('invalid assertion'));
    expect(failure(await bearer({ iss: 'unknown-key' }))).toEqual({
      status: 400,
      error: 'invalid_client_id',
    });
  });

  it("core's provider gets a client credentials token and falls back to its default lifetime", async () => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: CONSUMER_KEY,
      clientSecret: CONSUMER_SECRET,
      clientAuth: 'client_secret_post',
      defaultLifetimeMs: 30 * 60_000,
    });
    const start = Date.now();
    const { accessToken, expiresAt } = await tokens.getToken();
    expect(accessToken).toMatch(/^00D/);
    // No expires_in and an opaque token: the configured fallback decides.
    expect(expiresAt - start).toBeGreaterThanOrEqual(30 * 60_000 - 1000);
    expect(expiresAt - start).toBeLessThanOrEqual(30 * 60_000 + 1000);
  });
});
