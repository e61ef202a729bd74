import { createTokenProvider } from '@m2m-auth/core';
import { describe, expect, it } from 'vitest';
import { generateClientKeys } from '../src/index.ts';
import { KEYCLOAK_REALM } from '../src/vendors/keycloak.ts';
import {
  assertionForm,
  basic,
  failure,
  seconds,
  signJwt,
  tokenRequest,
  useVendorServer,
} from './vendor-helpers.ts';

const rsa = await generateClientKeys('RS256', 'kc-rsa');
const pss = await generateClientKeys('PS256', 'kc-pss');
const HS_SECRET = 'keycloak-client-secret-jwt-of-32-bytes+';
const servers = useVendorServer(() => [
  {
    clientId: 'jwt-client',
    clientSecret: 'unused-jwt-secret',
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: rsa.jwks,
  },
  {
    clientId: 'ps-client',
    clientSecret: 'unused-ps-secret',
    tokenEndpointAuthMethod: 'private_key_jwt',
    tokenEndpointAuthSigningAlg: 'PS256',
    jwks: { keys: [...pss.jwks.keys, ...rsa.jwks.keys] },
  },
  { clientId: 'hs-client', clientSecret: HS_SECRET, tokenEndpointAuthMethod: 'client_secret_jwt' },
  { clientId: 'scoped-client', clientSecret: 'scoped-secret', scopes: ['reports'] },
]);
const tokenUrl = () => servers.auth.tokenUrl('keycloak');
const realmUrl = () => `${servers.auth.url}/realms/${KEYCLOAK_REALM}`;
const grant = { grant_type: 'client_credentials' };
const UNAUTHORIZED = {
  error: 'unauthorized_client',
  error_description: 'Invalid client or Invalid client credentials',
};
const jwtFailed = (reason: string) => ({
  error: 'invalid_client',
  error_description: `Client authentication with signed JWT failed: ${reason}`,
});

const clientJwt = (clientId = 'jwt-client', claims: Record<string, unknown> = {}, keys = rsa) =>
  signJwt(
    {
      iss: clientId,
      sub: clientId,
      aud: realmUrl(),
      exp: seconds(60),
      jti: crypto.randomUUID(),
      ...claims,
    },
    keys.privateKey,
    { alg: keys.alg, kid: keys.kid },
  );

describe('keycloak profile (Keycloak client credentials)', () => {
  it('answers client-secret by Basic or in the body, with Keycloak response members', async () => {
    expect(tokenUrl()).toBe(
      `${servers.auth.url}/realms/${KEYCLOAK_REALM}/protocol/openid-connect/token`,
    );
    const viaBasic = await tokenRequest(tokenUrl(), grant, basic('demo-client', 'demo-secret'));
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.body).toMatchObject({
      expires_in: 300,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: 'profile email',
    });
    const viaPost = await tokenRequest(tokenUrl(), {
      ...grant,
      client_id: 'demo-client',
      client_secret: 'demo-secret',
    });
    expect(viaPost.status).toBe(200);
  });

  it('refuses bad client credentials with 401 unauthorized_client, no client_id with 400', async () => {
    const wrong = await tokenRequest(tokenUrl(), grant, basic('demo-client', 'nope'));
    expect([wrong.status, wrong.body]).toEqual([401, UNAUTHORIZED]);
    const unknown = await tokenRequest(tokenUrl(), {
      ...grant,
      client_id: 'stranger',
      client_secret: 'x',
    });
    expect([unknown.status, unknown.body]).toEqual([401, UNAUTHORIZED]);
    const noId = await tokenRequest(tokenUrl(), grant);
    expect([noId.status, noId.body]).toEqual([
      400,
      { error: 'invalid_client', error_description: 'Missing client_id parameter' },
    ]);
  });

  it('answers an unknown realm with 404 Realm does not exist', async () => {
    const answer = await tokenRequest(
      `${servers.auth.url}/realms/other/protocol/openid-connect/token`,
      grant,
      basic('demo-client', 'demo-secret'),
    );
    expect([answer.status, answer.body]).toEqual([404, { error: 'Realm does not exist' }]);
  });

  it('holds each client to its one authenticator', async () => {
    const secretForJwtClient = await tokenRequest(
      tokenUrl(),
      grant,
      basic('jwt-client', 'unused-jwt-secret'),
    );
    expect([secretForJwtClient.status, secretForJwtClient.body]).toEqual([401, UNAUTHORIZED]);
    const jwtForSecretClient = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(
        await signJwt(
          { iss: 'demo-client', sub: 'demo-client', aud: realmUrl(), exp: seconds(60), jti: 'x' },
          new TextEncoder().encode('demo-secret'),
          { alg: 'HS256' },
        ),
      ),
    });
    expect([jwtForSecretClient.status, jwtForSecretClient.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('accepts client-jwt with aud the realm issuer or the token URL, and client-secret-jwt', async () => {
    expect(
      (await tokenRequest(tokenUrl(), { ...grant, ...assertionForm(await clientJwt()) })).status,
    ).toBe(200);
    const toTokenUrl = await clientJwt('jwt-client', { aud: tokenUrl() });
    expect(
      (
        await tokenRequest(tokenUrl(), {
          ...grant,
          ...assertionForm(toTokenUrl, { client_id: 'jwt-client' }),
        })
      ).status,
    ).toBe(200);
    const hs = await signJwt(
      {
        iss: 'hs-client',
        sub: 'hs-client',
        aud: realmUrl(),
        exp: seconds(60),
        jti: crypto.randomUUID(),
      },
      new TextEncoder().encode(HS_SECRET),
      { alg: 'HS256' },
    );
    expect((await tokenRequest(tokenUrl(), { ...grant, ...assertionForm(hs) })).status).toBe(200);
  });

  it('refuses a reused jti: Token reuse detected', async () => {
    const form = { ...grant, ...assertionForm(await clientJwt()) };
    expect((await tokenRequest(tokenUrl(), form)).status).toBe(200);
    const again = await tokenRequest(tokenUrl(), form);
    expect([again.status, again.body]).toEqual([400, jwtFailed('Token reuse detected')]);
  });

  it.each([
    ['no jti', { jti: undefined }, 'Missing ID on the token'],
    [
      'iss other than sub',
      { iss: 'someone' },
      'Issuer mismatch. The issuer should match the subject',
    ],
    ['another audience', { aud: 'https://elsewhere.example' }, 'Invalid token audience'],
    ['an expired assertion', { exp: seconds(-30) }, 'Token is not active'],
  ])('refuses a client JWT with %s', async (_, claims, reason) => {
    const answer = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(await clientJwt('jwt-client', claims)),
    });
    expect([answer.status, answer.body]).toEqual([400, jwtFailed(reason)]);
  });

  it('refuses a signature of another key, an alg the client is not configured for, a missing type', async () => {
    const impostor = await generateClientKeys('RS256', rsa.kid);
    const forged = await clientJwt('jwt-client', {}, impostor);
    const bad = await tokenRequest(tokenUrl(), { ...grant, ...assertionForm(forged) });
    expect(bad.body).toEqual(jwtFailed('Signature on JWT token failed validation'));
    const rs256 = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(await clientJwt('ps-client')),
    });
    expect([rs256.status, rs256.body]).toEqual([
      400,
      { error: 'invalid_client', error_description: 'invalid signature algorithm' },
    ]);
    expect(
      (
        await tokenRequest(tokenUrl(), {
          ...grant,
          ...assertionForm(await clientJwt('ps-client', {}, pss)),
        })
      ).status,
    ).toBe(200);
    const noType = await tokenRequest(tokenUrl(), {
      ...grant,
      client_assertion: await clientJwt(),
    });
    expect([noType.status, noType.body]).toEqual([
      400,
      { error: 'invalid_client', error_description: 'Parameter client_assertion_type is missing' },
    ]);
  });

  it('refuses a scope the client does not have', async () => {
    const ok = await tokenRequest(
      tokenUrl(),
      { ...grant, scope: 'reports' },
      basic('scoped-client', 'scoped-secret'),
    );
    expect(ok.body['scope']).toBe('profile email reports');
    const other = await tokenRequest(
      tokenUrl(),
      { ...grant, scope: 'admin' },
      basic('scoped-client', 'scoped-secret'),
    );
    expect(failure(other)).toEqual({ status: 400, error: 'invalid_scope' });
  });

  it("core's provider reads a clientSecret function again on 401 unauthorized_client, as on invalid_client", async () => {
    let reads = 0;
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: () => (reads++ === 0 ? 'stale-secret' : 'demo-secret'),
    });
    await tokens.getToken();
    expect(servers.auth.stats.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(reads).toBe(2);
  });

  it("core's provider gets tokens with each authenticator", async () => {
    const base = { tokenUrl: tokenUrl() };
    const providers = [
      createTokenProvider({ ...base, clientId: 'demo-client', clientSecret: 'demo-secret' }),
      createTokenProvider({
        ...base,
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        clientAuth: 'client_secret_post',
      }),
      createTokenProvider({
        ...base,
        clientId: 'hs-client',
        clientSecret: HS_SECRET,
        clientAuth: 'client_secret_jwt',
      }),
      createTokenProvider({
        ...base,
        clientId: 'jwt-client',
        clientAssertion: { privateKey: rsa.privateJwk },
      }),
      createTokenProvider({
        ...base,
        clientId: 'ps-client',
        clientAssertion: { privateKey: pss.privateJwk },
      }),
    ];
    for (const provider of providers) await provider.getToken();
    expect(servers.auth.stats.requests.map((r) => [r.clientId, r.authMethod, r.status])).toEqual([
      ['demo-client', 'basic', 200],
      ['demo-client', 'post', 200],
      ['hs-client', 'client_secret_jwt', 200],
      ['jwt-client', 'private_key_jwt', 200],
      ['ps-client', 'private_key_jwt', 200],
    ]);
  });
});
