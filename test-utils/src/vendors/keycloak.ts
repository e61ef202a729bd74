/**
 * `keycloak`: Keycloak's realm token endpoint, client credentials grant ("Service accounts
 * enabled"), one client authenticator per client as Keycloak configures it.
 * https://www.keycloak.org/docs/latest/server_admin/index.html#_service_accounts
 * https://www.keycloak.org/docs/latest/server_admin/index.html#_client-credentials
 * https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/authentication/authenticators/client/ClientIdAndSecretAuthenticator.java
 * https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/authentication/authenticators/client/JWTClientValidator.java
 *
 * - `POST /realms/{realm}/protocol/openid-connect/token` (realm `m2m-auth`; another:
 *   `404 {"error":"Realm does not exist"}`).
 * - `tokenEndpointAuthMethod` picks the authenticator: `client_secret_basic` or
 *   `client_secret_post` (the default) is Keycloak's `client-secret`, which takes the secret
 *   from Basic or the body alike; `client_secret_jwt` is `client-secret-jwt` (HS256/384/512
 *   keyed with the secret); `private_key_jwt` is `client-jwt` (asymmetric, the client's JWKS,
 *   `tokenEndpointAuthSigningAlg` when set). A request the client's authenticator does not
 *   take, an unknown client or a wrong secret is `401 unauthorized_client` "Invalid client or
 *   Invalid client credentials"; no `client_id` at all `400 invalid_client`.
 * - Client JWTs: `sub` required, `iss` = `sub`, a `client_id` parameter equal to `sub`, `aud`
 *   the realm issuer or the token URL (one audience), `exp`, `jti` required and single-use,
 *   15 s clock skew; failures are `400 invalid_client` "Client authentication with signed
 *   JWT failed: <reason>", the reasons worded as JWTClientValidator words them.
 * - Answers `expires_in: 300`, `refresh_expires_in: 0`, `not-before-policy: 0` and `scope`
 *   (the client's default scopes `profile email` and those asked for).
 */

import type { AssertionVerifier } from '../client-assertion.ts';
import { decodeAssertion, JWT_BEARER } from '../client-assertion.ts';
import type { ClientRecord, EndpointContext, OAuthFailure, Profile } from '../profiles.ts';
import { type AssertionFault, byKid, checkAssertion } from './assertion-checks.ts';
import { presentedCredentials, secretKey, secretOwner } from './presented-credentials.ts';

export const KEYCLOAK_REALM = 'm2m-auth';
const PATH = /^\/realms\/([^/]+)\/protocol\/openid-connect\/token$/;
const DEFAULT_SCOPES = ['profile', 'email'];
const KEY_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const SECRET_ALGS = ['HS256', 'HS384', 'HS512'];

const UNAUTHORIZED: OAuthFailure = {
  status: 401,
  error: 'unauthorized_client',
  description: 'Invalid client or Invalid client credentials',
};
const invalidClient = (description: string): OAuthFailure => ({
  status: 400,
  error: 'invalid_client',
  description,
});
const jwtFailed = (reason: string) =>
  invalidClient(`Client authentication with signed JWT failed: ${reason}`);

const REASONS: Record<AssertionFault, string> = {
  malformed: 'Failed to parse JWT',
  alg: 'invalid signature algorithm',
  key: 'Unable to load public key',
  signature: 'Signature on JWT token failed validation',
  audience: 'Invalid token audience',
  expired: 'Token is not active',
  'not-yet-valid': 'Token is not active',
  lifetime: 'Token is not active',
  missing: 'Missing ID on the token',
  replay: 'Token reuse detected',
};

type Authenticator = 'client-secret' | 'client-secret-jwt' | 'client-jwt';
const authenticatorOf = (client: ClientRecord): Authenticator =>
  client.tokenEndpointAuthMethod === 'private_key_jwt'
    ? 'client-jwt'
    : client.tokenEndpointAuthMethod === 'client_secret_jwt'
      ? 'client-secret-jwt'
      : 'client-secret';

async function viaJwt(
  params: Map<string, string>,
  clients: Map<string, ClientRecord>,
  assertions: AssertionVerifier,
  endpoint: EndpointContext,
): Promise<ClientRecord | OAuthFailure> {
  const type = params.get('client_assertion_type');
  const jwt = params.get('client_assertion');
  if (type === undefined) return invalidClient('Parameter client_assertion_type is missing');
  if (type !== JWT_BEARER) {
    return invalidClient(
      `Parameter client_assertion_type has value '${type}' but expected is '${JWT_BEARER}'`,
    );
  }
  if (jwt === undefined) return invalidClient('client_assertion parameter missing');
  const decoded = decodeAssertion(jwt);
  if (!decoded) return jwtFailed(REASONS.malformed);
  const { sub, iss } = decoded.claims;
  if (typeof sub !== 'string')
    return jwtFailed("Can't identify client. Subject missing on JWT token");
  if (iss !== sub) return jwtFailed('Issuer mismatch. The issuer should match the subject');
  const bodyId = params.get('client_id');
  if (bodyId !== undefined && bodyId !== sub) {
    return jwtFailed('client_id parameter not matching with client from JWT token');
  }
  const client = clients.get(sub);
  const authenticator = client ? authenticatorOf(client) : undefined;
  if (!client || authenticator === 'client-secret') return UNAUTHORIZED;
  const configured = client.tokenEndpointAuthSigningAlg;
  const algorithms = authenticator === 'client-jwt' ? KEY_ALGS : SECRET_ALGS;
  const check = await checkAssertion(jwt, {
    algorithms: configured ? algorithms.filter((a) => a === configured) : algorithms,
    keys:
      authenticator === 'client-jwt'
        ? byKid(client.jwks?.keys ?? [], decoded.header.kid)
        : secretKey(client),
    audiences: [`${endpoint.issuer}/realms/${KEYCLOAK_REALM}`, endpoint.tokenUrl],
    singleAudience: false,
    leewaySeconds: 15,
    required: ['jti'],
    singleUseJti: true,
    now: assertions.now(),
    jtis: assertions.jtis,
  });
  if (check.ok) return client;
  if (check.fault === 'alg') return invalidClient(REASONS.alg);
  // JWTClientValidator: a JWT without exp is "not active"; without jti, "Missing ID".
  const reason =
    check.fault === 'missing' && check.claim === 'exp' ? REASONS.expired : REASONS[check.fault];
  return jwtFailed(reason);
}

export const keycloak: Profile = {
  name: 'keycloak',
  path: `/realms/${KEYCLOAK_REALM}/protocol/openid-connect/token`,
  matchesPath: (path) => PATH.test(path),
  lifetimeSeconds: 300,
  expiresInAsString: false,
  requiresDpop: false,
  authenticate(req, params, clients, assertions, endpoint) {
    if (PATH.exec(endpoint.path)?.[1] !== KEYCLOAK_REALM) {
      return { status: 404, error: 'Realm does not exist', description: '' };
    }
    const presented = presentedCredentials(req, params);
    if (presented.method === 'assertion') return viaJwt(params, clients, assertions, endpoint);
    // client-secret: the body's client_id and client_secret win over Basic's, as in Keycloak.
    const clientId = params.get('client_id') ?? presented.clientId;
    const secret = params.get('client_secret') ?? presented.clientSecret;
    if (clientId === undefined) return invalidClient('Missing client_id parameter');
    const claimed = clients.get(clientId);
    if (!claimed || authenticatorOf(claimed) !== 'client-secret') return UNAUTHORIZED;
    return secretOwner(clients, clientId, secret) ?? UNAUTHORIZED;
  },
  grantScope(scope, client) {
    const asked = (scope ?? '').split(' ').filter(Boolean);
    const unknown = client.scopes ? asked.filter((s) => !client.scopes?.includes(s)) : [];
    if (unknown.length > 0) {
      return { status: 400, error: 'invalid_scope', description: `Invalid scopes: ${scope}` };
    }
    return [...new Set([...DEFAULT_SCOPES, ...asked])].join(' ');
  },
  tokenResponse: ({ access_token, expires_in, token_type, scope }) => ({
    access_token,
    expires_in,
    refresh_expires_in: 0,
    token_type,
    'not-before-policy': 0,
    scope,
  }),
  errorBody: ({ error, description }) =>
    description ? { error, error_description: description } : { error },
};
