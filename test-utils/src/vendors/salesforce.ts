/**
 * `salesforce`: Salesforce's `POST /services/oauth2/token`, client credentials and the JWT
 * bearer flow (server-to-server, RFC 7523).
 * https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm&type=5
 * https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_jwt_flow.htm&type=5
 *
 * - Client credentials: consumer key and secret in the body (or Basic). An unknown key is
 *   `400 invalid_client_id` "client identifier invalid", a wrong secret `400 invalid_client`
 *   "invalid client credentials", an app with no "Run As" user (`users: []`) `400
 *   invalid_grant` "no client credentials user enabled".
 * - JWT bearer: `assertion` with header `alg` RS256, `iss` the consumer key (a client whose
 *   `jwks` holds the uploaded certificate's key), `sub` the username (one of the client's
 *   `users`, pre-authorized: else "user hasn't approved this consumer"), `aud` the login host
 *   (this server's URL, one string: else "audience is invalid"), `exp` "within 3 minutes"
 *   (expired: "expired authorization code"; too far: "invalid assertion"). All `400
 *   invalid_grant`.
 * - Answers with **no `expires_in`** (the token lives as long as the org's session timeout,
 *   2 h by default) and an opaque token; plus `instance_url`, `id`
 *   (`<login host>/id/<org id>/<user id>`), `token_type`, `scope`, and for client
 *   credentials `issued_at` (epoch milliseconds as a string) and `signature` (Base64
 *   HMAC-SHA256 of `id` + `issued_at` keyed with the consumer secret).
 */
import { createHash, createHmac } from 'node:crypto';
import type { AssertionVerifier } from '../client-assertion.ts';
import { decodeAssertion } from '../client-assertion.ts';
import type { ClientRecord, OAuthFailure, Profile } from '../profiles.ts';
import { checkAssertion } from './assertion-checks.ts';
import { JWT_BEARER_GRANT, presentedCredentials, secretOwner } from './presented-credentials.ts';

export const SALESFORCE_ORG_ID = '00DM2MAUTHTEST01AAA';

const invalidGrant = (description: string): OAuthFailure => ({
  status: 400,
  error: 'invalid_grant',
  description,
});
const UNKNOWN_CLIENT: OAuthFailure = {
  status: 400,
  error: 'invalid_client_id',
  description: 'client identifier invalid',
};

/** A Salesforce-looking user id for a username (the "Run As" user for client credentials). */
const userId = (username: string) =>
  `005${createHash('sha256').update(username).digest('hex').slice(0, 15).toUpperCase()}`;

async function viaJwtBearer(
  params: Map<string, string>,
  clients: Map<string, ClientRecord>,
  assertions: AssertionVerifier,
  loginHost: string,
): Promise<ClientRecord | OAuthFailure> {
  const jwt = params.get('assertion') ?? '';
  const decoded = decodeAssertion(jwt);
  if (!decoded) return invalidGrant('invalid assertion');
  const { iss, sub } = decoded.claims;
  const client = typeof iss === 'string' ? clients.get(iss) : undefined;
  if (!client) return UNKNOWN_CLIENT;
  const check = await checkAssertion(jwt, {
    algorithms: ['RS256'],
    keys: client.jwks?.keys ?? [],
    audiences: [loginHost],
    singleAudience: true,
    leewaySeconds: 0,
    maxLifetime: { seconds: 180, from: 'now' },
    required: ['sub'],
    singleUseJti: false,
    now: assertions.now(),
    jtis: assertions.jtis,
  });
  if (!check.ok) {
    if (check.fault === 'audience') return invalidGrant('audience is invalid');
    if (check.fault === 'expired') return invalidGrant('expired authorization code');
    return invalidGrant('invalid assertion');
  }
  if (typeof sub !== 'string' || !client.users?.includes(sub)) {
    return invalidGrant("user hasn't approved this consumer");
  }
  return client;
}

export const salesforce: Profile = {
  name: 'salesforce',
  path: '/services/oauth2/token',
  lifetimeSeconds: 7200,
  expiresInAsString: false,
  requiresDpop: false,
  grantTypes: ['client_credentials', JWT_BEARER_GRANT],
  opaqueTokenPrefix: `${SALESFORCE_ORG_ID.slice(0, 15)}!`,
  authenticate(req, params, clients, assertions, endpoint) {
    if (params.get('grant_type') === JWT_BEARER_GRANT) {
      return viaJwtBearer(params, clients, assertions, endpoint.issuer);
    }
    const presented = presentedCredentials(req, params);
    const claimed = presented.clientId ? clients.get(presented.clientId) : undefined;
    if (!claimed) return UNKNOWN_CLIENT;
    const client = secretOwner(clients, presented.clientId, presented.clientSecret);
    if (!client || presented.method === 'several') {
      return { status: 400, error: 'invalid_client', description: 'invalid client credentials' };
    }
    if (client.users?.length === 0) return invalidGrant('no client credentials user enabled');
    return client;
  },
  grantScope: (scope) => scope ?? 'api',
  tokenResponse({ access_token, scope, token_type }, { client, params, issuer, now }) {
    const jwtBearer = params.get('grant_type') === JWT_BEARER_GRANT;
    const user = jwtBearer
      ? String(decodeAssertion(params.get('assertion') ?? '')?.claims.sub)
      : (client.users?.[0] ?? `integration@${client.clientId}`);
    const id = `${issuer}/id/${SALESFORCE_ORG_ID}/${userId(user)}`;
    const answer = { access_token, scope, instance_url: issuer, id, token_type };
    if (jwtBearer) return answer;
    const issuedAt = String(now);
    const signature = createHmac('sha256', client.clientSecret)
      .update(id + issuedAt)
      .digest('base64');
    return { ...answer, signature, issued_at: issuedAt };
  },
};
