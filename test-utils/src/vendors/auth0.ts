/**
 * `auth0`: Auth0's `POST /oauth/token`, client credentials grant.
 * https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow/call-your-api-using-the-client-credentials-flow
 * https://auth0.com/docs/get-started/authentication-and-authorization-flow/authenticate-with-private-key-jwt
 * https://auth0.com/docs/get-started/applications/credentials
 * https://support.auth0.com/center/s/article/Client-credentials-grant-requires-audience-parameter
 *
 * - One authentication method per application (`tokenEndpointAuthMethod`, default
 *   `client_secret_post`, Auth0's default): Client Secret (Post), Client Secret (Basic) or
 *   Private Key JWT. Any failure to authenticate is `401 {"error":"access_denied",
 *   "error_description":"Unauthorized"}`, not `invalid_client` (what Auth0 answers a wrong
 *   secret: auth0/node-auth0#682; the page names no other shape).
 * - Private Key JWT: `iss` = `sub` = the client id, `aud` the tenant URL **with its trailing
 *   slash** (`${url}/`), `jti`, `exp` at most 5 minutes after `iat` ("Auth0 supports a
 *   maximum of 5 minutes"), `iat` optional, `kid` optional (if sent it must be the key's),
 *   `alg` that of the credential (RS256, RS384 or PS256).
 * - `audience` (the API identifier) decides the token: an API the client has no grant for is
 *   `403 access_denied` ("Client is not authorized to access ..."; an unknown API "Service
 *   not found"); without an `audience` the answer is an opaque 24 h token, which no API
 *   accepts (the support article), so the call after it fails, not the token request.
 * - A scope the grant does not hold is `403 access_denied` ("Client has not been granted
 *   scopes"); with no `scope`, all the grant's scopes.
 * - Tokens live 86400 s.
 */
import { randomBytes } from 'node:crypto';
import type { AssertionVerifier } from '../client-assertion.ts';
import type { ClientRecord, OAuthFailure, Profile } from '../profiles.ts';
import { byKid, checkAssertion } from './assertion-checks.ts';
import { assertedClient, presentedCredentials, secretOwner } from './presented-credentials.ts';

// token-endpoint.ts's DEFAULT_AUDIENCE (not imported: the token endpoint imports the profiles).
const DEFAULT_AUDIENCE = 'm2m-auth-test-api';
const UNAUTHORIZED: OAuthFailure = {
  status: 401,
  error: 'access_denied',
  description: 'Unauthorized',
};
const KEY_ALGS = ['RS256', 'RS384', 'PS256'];
const METHOD_SEEN = { basic: 'client_secret_basic', post: 'client_secret_post' } as const;

const forbidden = (description: string): OAuthFailure => ({
  status: 403,
  error: 'access_denied',
  description,
});

const audiencesOf = (client: ClientRecord) => client.audiences ?? [DEFAULT_AUDIENCE];

async function viaPrivateKeyJwt(
  params: Map<string, string>,
  clients: Map<string, ClientRecord>,
  assertions: AssertionVerifier,
  tenantUrl: string,
): Promise<ClientRecord | OAuthFailure> {
  const asserted = assertedClient(params, clients);
  if (asserted?.client.tokenEndpointAuthMethod !== 'private_key_jwt') return UNAUTHORIZED;
  const { client, decoded } = asserted;
  const jwt = params.get('client_assertion') ?? '';
  const check = await checkAssertion(jwt, {
    algorithms: client.tokenEndpointAuthSigningAlg
      ? [client.tokenEndpointAuthSigningAlg]
      : KEY_ALGS,
    keys: byKid(client.jwks?.keys ?? [], decoded.header.kid),
    audiences: [tenantUrl],
    singleAudience: true,
    leewaySeconds: 30,
    maxLifetime: { seconds: 300, from: 'iat' },
    required: ['jti'],
    singleUseJti: false,
    now: assertions.now(),
    jtis: assertions.jtis,
  });
  return check.ok ? client : UNAUTHORIZED;
}

/** The `audience` must be an API of the tenant the client has a grant for. */
function apiRefusal(
  audience: string | undefined,
  client: ClientRecord,
  clients: Map<string, ClientRecord>,
): OAuthFailure | undefined {
  if (audience === undefined || audiencesOf(client).includes(audience)) return undefined;
  const apis = new Set([DEFAULT_AUDIENCE, ...[...clients.values()].flatMap(audiencesOf)]);
  if (!apis.has(audience)) return forbidden(`Service not found: ${audience}`);
  return forbidden(
    `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
  );
}

export const auth0: Profile = {
  name: 'auth0',
  path: '/oauth/token',
  lifetimeSeconds: 86_400,
  expiresInAsString: false,
  requiresDpop: false,
  async authenticate(req, params, clients, assertions, endpoint) {
    const presented = presentedCredentials(req, params);
    let client: ClientRecord | OAuthFailure = UNAUTHORIZED;
    if (presented.method === 'assertion') {
      client = await viaPrivateKeyJwt(params, clients, assertions, `${endpoint.issuer}/`);
    } else if (presented.method === 'basic' || presented.method === 'post') {
      const owner = secretOwner(clients, presented.clientId, presented.clientSecret);
      const registered = owner?.tokenEndpointAuthMethod ?? 'client_secret_post';
      if (owner && registered === METHOD_SEEN[presented.method]) client = owner;
    }
    if ('error' in client) return client;
    return apiRefusal(params.get('audience'), client, clients) ?? client;
  },
  grantScope(scope, client, params) {
    // Without an audience: the opaque token of tokenResponse, for /userinfo.
    if (!params.has('audience') || !client.scopes) return scope;
    if (!scope) return client.scopes.length > 0 ? client.scopes.join(' ') : undefined;
    const ungranted = scope.split(' ').filter((s) => s && !client.scopes?.includes(s));
    return ungranted.length === 0
      ? scope
      : forbidden(`Client has not been granted scopes: ${ungranted.join(' ')}`);
  },
  tokenResponse(standard, { params }) {
    if (params.has('audience')) return standard;
    // The support article's answer: an opaque token for /userinfo, not a JWT for an API.
    return {
      access_token: randomBytes(24).toString('base64url'),
      expires_in: standard['expires_in'],
      token_type: 'Bearer',
    };
  },
};
