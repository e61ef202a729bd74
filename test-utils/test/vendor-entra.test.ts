import { createTokenProvider } from '@m2m-auth/core';
import { decodeJwt, exportJWK, generateKeyPair, importPKCS8, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateClientCertificate } from '../src/client-certificate.ts';
import { ENTRA_RESOURCE, ENTRA_TENANT_DOMAIN, ENTRA_TENANT_ID } from '../src/vendors/entra.ts';
import {
  assertionForm,
  basic,
  changed,
  type RawAnswer,
  seconds,
  signJwt,
  tokenRequest,
  useVendorServer,
} from './vendor-helpers.ts';

const SCOPE = `${ENTRA_RESOURCE}/.default`;
const certificate = await generateClientCertificate('PS256');
const external = await generateKeyPair('RS256');
const externalJwk: JWK = { ...(await exportJWK(external.publicKey)), kid: 'k8s-1', alg: 'RS256' };
const K8S_ISSUER = 'https://oidc.prod-aks.azure.com/tenant/cluster/';
const K8S_SUBJECT = 'system:serviceaccount:default:workload';

const servers = useVendorServer(() => [
  { clientId: 'cert-app', clientSecret: 'unused-cert-app-secret', jwks: certificate.jwks },
  {
    clientId: 'workload-app',
    clientSecret: 'unused-workload-secret',
    federatedCredentials: [
      { issuer: K8S_ISSUER, subject: K8S_SUBJECT, jwks: { keys: [externalJwk] } },
    ],
  },
]);
const tokenUrl = () => servers.auth.tokenUrl('entra');
const grant = { grant_type: 'client_credentials', scope: SCOPE };
const secretForm = { ...grant, client_id: 'demo-client', client_secret: 'demo-secret' };

/** status, error and the AADSTS code of an Entra error answer. */
const aadsts = (answer: RawAnswer) => ({
  status: answer.status,
  error: answer.body['error'],
  code: (answer.body['error_codes'] as number[] | undefined)?.[0],
});

const certificateAssertion = (claims: Record<string, unknown> = {}, header = {}) =>
  signJwt(
    {
      iss: 'cert-app',
      sub: 'cert-app',
      aud: tokenUrl(),
      jti: crypto.randomUUID(),
      nbf: seconds(),
      exp: seconds(600),
      ...claims,
    },
    certificate.privateKey,
    { alg: 'PS256', typ: 'JWT', 'x5t#S256': certificate.x5tS256, ...header },
  );

const federatedToken = (claims: Record<string, unknown> = {}, key = external.privateKey) =>
  signJwt(
    {
      iss: K8S_ISSUER,
      sub: K8S_SUBJECT,
      aud: 'api://AzureADTokenExchange',
      exp: seconds(3600),
      ...claims,
    },
    key,
    { alg: 'RS256', kid: 'k8s-1' },
  );

describe('entra profile (Microsoft Entra ID v2 client credentials)', () => {
  it('answers a secret in the body at /{tenant}/oauth2/v2.0/token, the resource as aud', async () => {
    expect(tokenUrl()).toBe(`${servers.auth.url}/${ENTRA_TENANT_ID}/oauth2/v2.0/token`);
    const ok = await tokenRequest(tokenUrl(), secretForm);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'ext_expires_in',
      'token_type',
    ]);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(decodeJwt(String(ok.body['access_token']))).toMatchObject({
      aud: ENTRA_RESOURCE,
      sub: 'demo-client',
    });
  });

  it('takes the tenant as its domain name and the secret with Basic', async () => {
    const url = `${servers.auth.url}/${ENTRA_TENANT_DOMAIN}/oauth2/v2.0/token`;
    const ok = await tokenRequest(url, grant, basic('demo-client', 'demo-secret'));
    expect(ok.status).toBe(200);
  });

  it('answers errors in the AADSTS shape: codes, trace and correlation ids, timestamp', async () => {
    const url = `${servers.auth.url}/common-tenant/oauth2/v2.0/token`;
    const answer = await tokenRequest(url, secretForm);
    expect(aadsts(answer)).toEqual({ status: 400, error: 'invalid_request', code: 90002 });
    const { error_description, trace_id, correlation_id, timestamp, error_uri } = answer.body;
    expect(error_description).toMatch(/^AADSTS90002: Tenant 'common-tenant' not found\./);
    expect(error_description).toContain(
      `\r\nTrace ID: ${trace_id}\r\nCorrelation ID: ${correlation_id}\r\nTimestamp: ${timestamp}`,
    );
    expect(timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(error_uri).toBe('https://login.microsoftonline.com/error?code=90002');
  });

  it.each([
    [
      'a wrong secret',
      { client_secret: 'nope' },
      { status: 401, error: 'invalid_client', code: 7000215 },
    ],
    [
      'an app not in the tenant',
      { client_id: 'stranger' },
      { status: 400, error: 'unauthorized_client', code: 700016 },
    ],
    [
      'no secret or assertion',
      { client_secret: undefined },
      { status: 401, error: 'invalid_client', code: 7000218 },
    ],
    ['no scope', { scope: undefined }, { status: 400, error: 'invalid_request', code: 900144 }],
    [
      'two resources',
      { scope: `${SCOPE} https://graph.microsoft.com/.default` },
      { status: 400, error: 'invalid_scope', code: 70011 },
    ],
    [
      'a scope without /.default',
      { scope: `${ENTRA_RESOURCE}/read` },
      { status: 400, error: 'invalid_scope', code: 1002012 },
    ],
    [
      'an unknown resource',
      { scope: 'api://nobody/.default' },
      { status: 400, error: 'invalid_resource', code: 500011 },
    ],
    [
      'another grant type',
      { grant_type: 'password' },
      { status: 400, error: 'unsupported_grant_type', code: 70003 },
    ],
  ])('refuses %s as Entra does', async (_, change, expected) => {
    const form = changed(secretForm, change);
    expect(aadsts(await tokenRequest(tokenUrl(), form))).toEqual(expected);
  });

  it('accepts a certificate assertion: PS256 with x5t#S256, RS256 with x5t', async () => {
    const ps256 = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(await certificateAssertion(), { client_id: 'cert-app' }),
    });
    expect(ps256.status).toBe(200);
    const rsa = await generateClientCertificate('RS256');
    const rs256 = await signJwt(
      {
        iss: 'cert-app',
        sub: 'cert-app',
        aud: tokenUrl(),
        jti: crypto.randomUUID(),
        nbf: seconds(),
        exp: seconds(600),
      },
      rsa.privateKey,
      { alg: 'RS256', x5t: certificate.x5t },
    );
    // Signed by another key than the certificate x5t names: refused; by its own: accepted.
    expect(
      aadsts(
        await tokenRequest(tokenUrl(), {
          ...grant,
          ...assertionForm(rs256, { client_id: 'cert-app' }),
        }),
      ),
    ).toMatchObject({ code: 700027 });
    const own = await signJwt(
      {
        iss: 'cert-app',
        sub: 'cert-app',
        aud: tokenUrl(),
        jti: crypto.randomUUID(),
        nbf: seconds(),
        exp: seconds(86_400),
      },
      await importPKCS8(certificate.privateKeyPem, 'RS256'),
      { alg: 'RS256', x5t: certificate.x5t },
    );
    expect(
      (
        await tokenRequest(tokenUrl(), {
          ...grant,
          ...assertionForm(own, { client_id: 'cert-app' }),
        })
      ).status,
    ).toBe(200);
  });

  it.each([
    ['aud the issuer, not the v2 token URL', { aud: 'ISSUER' }, {}, 700023],
    ['an unregistered certificate', {}, { 'x5t#S256': 'AAAA' }, 700027],
    ['no thumbprint', {}, { 'x5t#S256': undefined }, 700027],
    ['an expired assertion', { nbf: seconds(-7200), exp: seconds(-3600) }, {}, 700024],
    ['sub another app', { sub: 'demo-client' }, {}, 700021],
  ])(
    'refuses a certificate assertion with %s',
    async (_, claims: Record<string, unknown>, header, code) => {
      const fixed = claims['aud'] === 'ISSUER' ? { ...claims, aud: servers.auth.url } : claims;
      const jwt = await certificateAssertion(fixed, header);
      const answer = await tokenRequest(tokenUrl(), {
        ...grant,
        ...assertionForm(jwt, { client_id: 'cert-app' }),
      });
      expect(aadsts(answer)).toMatchObject({ error: 'invalid_client', code });
    },
  );

  it('accepts a federated assertion that matches a federated credential', async () => {
    const jwt = await federatedToken();
    const ok = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(jwt, { client_id: 'workload-app' }),
    });
    expect(ok.status).toBe(200);
    expect(decodeJwt(String(ok.body['access_token']))).toMatchObject({ sub: 'workload-app' });
  });

  it.each([
    ['another issuer', { iss: 'https://token.actions.githubusercontent.com' }, 700211],
    ['another subject', { sub: 'system:serviceaccount:default:other' }, 700213],
    ['another audience', { aud: 'api://something-else' }, 700212],
    ['an expired token', { exp: seconds(-3600) }, 700024],
  ])('refuses a federated assertion from %s', async (_, claims, code) => {
    const jwt = await federatedToken(claims);
    const answer = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(jwt, { client_id: 'workload-app' }),
    });
    expect(aadsts(answer)).toEqual({ status: 401, error: 'invalid_client', code });
  });

  it('refuses a federated assertion signed by a key the issuer does not have', async () => {
    const impostor = await generateKeyPair('RS256');
    const jwt = await federatedToken({}, impostor.privateKey);
    const answer = await tokenRequest(tokenUrl(), {
      ...grant,
      ...assertionForm(jwt, { client_id: 'workload-app' }),
    });
    expect(aadsts(answer)).toEqual({ status: 401, error: 'invalid_client', code: 50013 });
  });

  it("core's provider gets a token with the secret in the body and with Basic", async () => {
    for (const clientAuth of ['client_secret_post', 'client_secret_basic'] as const) {
      const tokens = createTokenProvider({
        tokenUrl: tokenUrl(),
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        clientAuth,
        scope: SCOPE,
      });
      const token = await tokens.getToken();
      expect(decodeJwt(token.accessToken)).toMatchObject({ aud: ENTRA_RESOURCE });
    }
    expect(servers.auth.stats.requests.map((r) => [r.authMethod, r.status])).toEqual([
      ['post', 200],
      ['basic', 200],
    ]);
  });

  it("core's provider gets a token with a certificate: PS256 and x5t#S256 from the PEM", async () => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'cert-app',
      clientAuth: 'private_key_jwt',
      clientAssertion: {
        privateKey: certificate.privateKeyPem,
        alg: 'PS256',
        certificate: certificate.certificatePem,
      },
      scope: SCOPE,
    });
    await tokens.getToken();
    const [request] = servers.auth.stats.requests;
    expect(request).toMatchObject({
      clientId: 'cert-app',
      authMethod: 'private_key_jwt',
      status: 200,
    });
    expect(request?.assertion?.header).toMatchObject({
      alg: 'PS256',
      'x5t#S256': certificate.x5tS256,
    });
  });

  it("core's provider gets a token with a federated assertion, re-read once when refused", async () => {
    const issued = [await federatedToken({ exp: seconds(-3600) }), await federatedToken()];
    let reads = 0;
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'workload-app',
      clientAssertion: { assertion: () => issued[Math.min(reads++, 1)] as string },
      scope: SCOPE,
    });
    await tokens.getToken();
    expect(servers.auth.stats.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(reads).toBe(2);
  });

  it("core's provider surfaces an AADSTS error as an OAuthError with its status", async () => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: 'wrong',
      clientAuth: 'client_secret_post',
      scope: SCOPE,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client', status: 401 });
  });
});
