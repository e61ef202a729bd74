import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateClientKeys } from '../src/index.ts';
import {
  basic,
  failure,
  seconds,
  signJwt,
  tokenRequest,
  useVendorServer,
} from './vendor-helpers.ts';

const SA = 'reporter@m2m-auth-test.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TIMEFRAME =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
const key = await generateClientKeys('RS256', 'private-key-id-1');
const servers = useVendorServer(() => [
  {
    clientId: SA,
    clientSecret: 'unused-service-account-secret',
    jwks: key.jwks,
    users: ['admin@example.com'],
  },
]);
const tokenUrl = () => servers.auth.tokenUrl('google-sa');

const assertion = (
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  signer = key,
) =>
  signJwt(
    { iss: SA, scope: SCOPE, aud: tokenUrl(), iat: seconds(), exp: seconds(3600), ...claims },
    signer.privateKey,
    { alg: 'RS256', typ: 'JWT', kid: key.kid, ...header },
  );
const grant = async (claims?: Record<string, unknown>, header?: Record<string, unknown>) =>
  tokenRequest(tokenUrl(), { grant_type: JWT_BEARER, assertion: await assertion(claims, header) });

describe('google-sa profile (Google service account, jwt-bearer grant)', () => {
  it('answers a jwt-bearer grant with no client authentication', async () => {
    expect(tokenUrl()).toBe(`${servers.auth.url}/token`);
    const ok = await grant();
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(ok.body).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
    expect(decodeJwt(String(ok.body['access_token']))).toMatchObject({ sub: SA, scope: SCOPE });
    expect(servers.auth.stats.requests[0]).toMatchObject({
      clientId: SA,
      authMethod: 'none',
      status: 200,
    });
  });

  it('takes an assertion without kid, and one for a user the account may act for', async () => {
    expect((await grant({}, { kid: undefined })).status).toBe(200);
    expect((await grant({ sub: 'admin@example.com' })).status).toBe(200);
    const stranger = await grant({ sub: 'ceo@example.com' });
    expect(failure(stranger)).toEqual({ status: 401, error: 'unauthorized_client' });
  });

  it.each([
    ['exp more than an hour after iat', { iat: seconds(), exp: seconds(3601) }],
    ['no iat', { iat: undefined }],
    ['an expired assertion', { iat: seconds(-7200), exp: seconds(-3600) }],
    ['iat in the future', { iat: seconds(600), exp: seconds(1200) }],
  ])('refuses %s as a token outside a reasonable timeframe', async (_, claims) => {
    const answer = await grant(claims);
    expect([answer.status, answer.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: TIMEFRAME },
    ]);
  });

  it('refuses an aud other than the token URL exactly', async () => {
    for (const aud of [`${tokenUrl()}/`, servers.auth.url, [tokenUrl(), 'x']]) {
      expect(failure(await grant({ aud }))).toEqual({ status: 400, error: 'invalid_grant' });
    }
  });

  it('refuses another signature, another alg, an unknown account, no scope', async () => {
    const other = await generateClientKeys('RS256');
    const forged = await tokenRequest(tokenUrl(), {
      grant_type: JWT_BEARER,
      assertion: await assertion({}, {}, other),
    });
    expect(forged.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid JWT Signature.',
    });
    const es = await generateClientKeys('ES256');
    const es256 = await signJwt(
      { iss: SA, scope: SCOPE, aud: tokenUrl(), exp: seconds(600) },
      es.privateKey,
      { alg: 'ES256' },
    );
    expect(
      failure(await tokenRequest(tokenUrl(), { grant_type: JWT_BEARER, assertion: es256 })),
    ).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    const unknown = await grant({ iss: 'nobody@example.iam.gserviceaccount.com' });
    expect(unknown.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid grant: account not found',
    });
    expect(failure(await grant({ scope: undefined }))).toEqual({
      status: 400,
      error: 'invalid_scope',
    });
  });

  it('refuses client credentials and a grant without assertion', async () => {
    const cc = await tokenRequest(
      tokenUrl(),
      { grant_type: 'client_credentials' },
      basic('demo-client', 'demo-secret'),
    );
    expect(failure(cc)).toEqual({ status: 400, error: 'unsupported_grant_type' });
    const none = await tokenRequest(tokenUrl(), { grant_type: JWT_BEARER });
    expect(failure(none)).toEqual({ status: 400, error: 'invalid_request' });
  });
});
