/**
 * `okta`: Okta's token endpoints, client credentials grant.
 * https://developer.okta.com/docs/guides/implement-client-creds/
 * https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/
 * https://developer.okta.com/docs/guides/build-self-signed-jwt/main/
 * https://developer.okta.com/docs/api/openapi/okta-oauth/guides/client-auth
 * https://developer.okta.com/docs/guides/dpop/main/
 * https://support.okta.com/help/s/article/invalid-client-error-returned-during-client-authentication-failure
 *
 * - A custom authorization server at `/oauth2/default/v1/token` (other server ids: Okta's
 *   `404 E0000007`); the org authorization server at `/oauth2/v1/token`, where
 *   `private_key_jwt` is "the only supported method" and only `okta.*` scopes are granted
 *   ("Custom scopes are not allowed for this request.").
 * - One method per app (`tokenEndpointAuthMethod`, default `client_secret_basic`, Okta's):
 *   a wrong secret is `401 invalid_client` "The client secret supplied for a confidential
 *   client is invalid.", any other failure "Client authentication failed. Either the client
 *   or the client credentials are invalid." (the support article's texts).
 * - Client assertions: `aud` the full token URL, `iss` = `sub` = the client id, `exp`
 *   required and at most one hour ahead, `iat` optional (not in the future), `jti` optional
 *   but single-use when sent; `private_key_jwt` with RS256/384/512 or ES256/384/512 and a
 *   `kid` naming a key of the app's JWKS (required once the JWKS holds more than one key:
 *   OpenID Connect Core §10.1; Okta requires a unique `kid` per key), `client_secret_jwt`
 *   with HS256/384/512. Assertion failures are `401 invalid_client` in our words.
 * - A custom server needs "at least one custom scope" (none: `400 invalid_scope`).
 * - An app with `dpopBoundAccessTokens` ("Require DPoP") must send a DPoP proof with the
 *   server's nonce: the first is `400 use_dpop_nonce` "Authorization server requires nonce
 *   in DPoP proof." with a `DPoP-Nonce` header; tokens are then `token_type: DPoP`.
 * - Tokens live 3600 s.
 */

import type { AssertionVerifier } from '../client-assertion.ts';
import type { ClientRecord, EndpointContext, OAuthFailure, Profile } from '../profiles.ts';
import { type AssertionFault, byKid, checkAssertion } from './assertion-checks.ts';
import {
  assertedClient,
  presentedCredentials,
  secretKey,
  secretOwner,
} from './presented-credentials.ts';

const PATH = /^\/oauth2(?:\/([^/]+))?\/v1\/token$/;
const ORG_PATH = '/oauth2/v1/token';
const AUTH_SERVERS = ['default'];
const OIDC_SCOPES = [
  'openid',
  'profile',
  'email',
  'address',
  'phone',
  'offline_access',
  'device_sso',
];
const KEY_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];
const SECRET_ALGS = ['HS256', 'HS384', 'HS512'];

const invalidClient = (description: string): OAuthFailure => ({
  status: 401,
  error: 'invalid_client',
  description,
});
const FAILED = invalidClient(
  'Client authentication failed. Either the client or the client credentials are invalid.',
);
const invalidScope = (description: string): OAuthFailure => ({
  status: 400,
  error: 'invalid_scope',
  description,
});

const ASSERTION_FAULTS: Partial<Record<AssertionFault, string>> = {
  expired: 'The client_assertion token is expired.',
  lifetime: 'The client_assertion token has an expiration too far into the future.',
  audience: 'The audience claim for client_assertion must be the endpoint invoked for the request.',
  replay: "The 'jti' claim in the client_assertion token has already been used.",
  'not-yet-valid': "The 'iat' claim in the client_assertion token is in the future.",
};

async function viaAssertion(
  params: Map<string, string>,
  clients: Map<string, ClientRecord>,
  assertions: AssertionVerifier,
  endpoint: EndpointContext,
): Promise<ClientRecord | OAuthFailure> {
  const asserted = assertedClient(params, clients);
  if (!asserted) return FAILED;
  const { client, decoded } = asserted;
  const jwt = params.get('client_assertion') ?? '';
  const method = client.tokenEndpointAuthMethod;
  if (method !== 'private_key_jwt' && method !== 'client_secret_jwt') return FAILED;
  const keys = client.jwks?.keys ?? [];
  const { kid } = decoded.header;
  if (method === 'private_key_jwt' && kid === undefined && keys.length > 1) {
    return invalidClient(
      "The client_assertion token must have a 'kid' header: the app has more than one key.",
    );
  }
  const check = await checkAssertion(jwt, {
    algorithms: method === 'private_key_jwt' ? KEY_ALGS : SECRET_ALGS,
    keys: method === 'private_key_jwt' ? byKid(keys, kid) : secretKey(client),
    audiences: [endpoint.tokenUrl],
    leewaySeconds: 0,
    maxLifetime: { seconds: 3600, from: 'now' },
    singleUseJti: true,
    now: assertions.now(),
    jtis: assertions.jtis,
  });
  if (check.ok) return client;
  return invalidClient(
    ASSERTION_FAULTS[check.fault] ?? 'The client_assertion signature is invalid.',
  );
}

function viaSecret(
  presented: ReturnType<typeof presentedCredentials>,
  clients: Map<string, ClientRecord>,
): ClientRecord | OAuthFailure {
  const claimed = presented.clientId ? clients.get(presented.clientId) : undefined;
  const registered = claimed?.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const sent = presented.method === 'basic' ? 'client_secret_basic' : 'client_secret_post';
  if (!claimed || registered !== sent) return FAILED;
  return (
    secretOwner(clients, presented.clientId, presented.clientSecret) ??
    invalidClient('The client secret supplied for a confidential client is invalid.')
  );
}

export const okta: Profile = {
  name: 'okta',
  path: '/oauth2/default/v1/token',
  matchesPath: (path) => PATH.test(path),
  lifetimeSeconds: 3600,
  expiresInAsString: false,
  requiresDpop: false,
  dpopRequiredFor: (client) => client?.dpopBoundAccessTokens === true,
  async authenticate(req, params, clients, assertions, endpoint) {
    const server = PATH.exec(endpoint.path)?.[1];
    if (server !== undefined && !AUTH_SERVERS.includes(server)) {
      return {
        status: 404,
        error: 'E0000007',
        description: `Not found: Resource not found: ${server} (AuthorizationServer)`,
      };
    }
    const presented = presentedCredentials(req, params);
    if (presented.method === 'several' || presented.method === 'none') return FAILED;
    const client =
      presented.method === 'assertion'
        ? await viaAssertion(params, clients, assertions, endpoint)
        : viaSecret(presented, clients);
    if (
      endpoint.path === ORG_PATH &&
      !('error' in client) &&
      client.tokenEndpointAuthMethod !== 'private_key_jwt'
    ) {
      return invalidClient(
        'Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method',
      );
    }
    return client;
  },
  grantScope(scope, client, _params, endpoint) {
    const scopes = (scope ?? '').split(' ').filter(Boolean);
    if (endpoint.path === ORG_PATH) {
      if (scopes.length > 0 && scopes.every((s) => s.startsWith('okta.'))) return scopes.join(' ');
      return invalidScope('Custom scopes are not allowed for this request.');
    }
    if (scopes.length === 0) {
      return invalidScope(
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
      );
    }
    const allowed = (s: string) =>
      !OIDC_SCOPES.includes(s) && !s.startsWith('okta.') && (client.scopes?.includes(s) ?? true);
    if (!scopes.every(allowed)) {
      return invalidScope(
        'One or more scopes are not configured for the authorization server resource.',
      );
    }
    return scopes.join(' ');
  },
  errorBody(failure) {
    if (failure.error === 'E0000007') {
      // Okta's management-API shape, not OAuth's, for a path that names no server.
      return {
        errorCode: 'E0000007',
        errorSummary: failure.description,
        errorLink: 'E0000007',
        errorId: crypto.randomUUID(),
        errorCauses: [],
      };
    }
    return {
      error: failure.error,
      error_description:
        failure.error === 'use_dpop_nonce'
          ? 'Authorization server requires nonce in DPoP proof.'
          : failure.description,
    };
  },
};
