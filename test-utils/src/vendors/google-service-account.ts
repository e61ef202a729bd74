/**
 * `google-sa`: Google's token endpoint for service accounts, the RFC 7523 jwt-bearer grant
 * ("Preparing to make an authorized API call" / HTTP/REST).
 * https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 *
 * - `POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and
 *   `assertion=<JWT>`; no client authentication (the signature is the credential). Other
 *   grants are `400 unsupported_grant_type`.
 * - The JWT: header `alg` RS256 (`kid`, the key file's `private_key_id`, picks the key when
 *   sent); `iss` the service account's email (a registered client whose `jwks` holds its
 *   public keys: an unknown one is `400 invalid_grant` "Invalid grant: account not found"),
 *   `scope` (space-delimited; none: `400 invalid_scope`), `aud` exactly the token URL, `iat`,
 *   `exp` "a maximum of 1 hour after the issued time"; an optional `sub` (domain-wide
 *   delegation) must be one of the client's `users`, else `401 unauthorized_client`.
 * - A time outside that window is `400 invalid_grant` "Invalid JWT: Token must be a
 *   short-lived token (60 minutes) and in a reasonable timeframe. ..." (the text Google
 *   answers, as reported in googleapis/google-api-php-client#1501); a bad signature "Invalid
 *   JWT Signature.".
 * - Answers `{ access_token, expires_in: 3599, token_type: "Bearer" }` (no `scope`).
 */

import { decodeAssertion } from '../client-assertion.ts';
import type { ClientRecord, OAuthFailure, Profile } from '../profiles.ts';
import { type AssertionFault, byKid, checkAssertion } from './assertion-checks.ts';
import { JWT_BEARER_GRANT } from './presented-credentials.ts';

const invalidGrant = (description: string): OAuthFailure => ({
  status: 400,
  error: 'invalid_grant',
  description,
});

const TIMEFRAME =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

function fault(kind: AssertionFault, claim: string | undefined): OAuthFailure {
  switch (kind) {
    case 'expired':
    case 'not-yet-valid':
    case 'lifetime':
      return invalidGrant(TIMEFRAME);
    case 'missing':
      return invalidGrant(
        claim === 'iat' || claim === 'exp' ? TIMEFRAME : `Invalid JWT: missing ${claim}`,
      );
    case 'audience':
      return invalidGrant('Invalid JWT: Failed audience check.');
    case 'malformed':
      return invalidGrant('Invalid JWT format.');
    default:
      return invalidGrant('Invalid JWT Signature.');
  }
}

export const googleServiceAccount: Profile = {
  name: 'google-sa',
  path: '/token',
  lifetimeSeconds: 3599,
  expiresInAsString: false,
  requiresDpop: false,
  grantTypes: [JWT_BEARER_GRANT],
  async authenticate(_req, params, clients, assertions, endpoint) {
    const jwt = params.get('assertion');
    if (!jwt)
      return {
        status: 400,
        error: 'invalid_request',
        description: 'Missing required parameter: assertion',
      };
    const decoded = decodeAssertion(jwt);
    if (!decoded) return fault('malformed', undefined);
    const { iss, sub } = decoded.claims;
    const account: ClientRecord | undefined =
      typeof iss === 'string' ? clients.get(iss) : undefined;
    if (!account?.jwks) return invalidGrant('Invalid grant: account not found');
    const check = await checkAssertion(jwt, {
      algorithms: ['RS256'],
      keys: byKid(account.jwks.keys, decoded.header.kid),
      audiences: [endpoint.tokenUrl],
      singleAudience: true,
      leewaySeconds: 60,
      maxLifetime: { seconds: 3600, from: 'iat' },
      required: ['iat'],
      singleUseJti: false,
      now: assertions.now(),
      jtis: assertions.jtis,
    });
    if (!check.ok) return fault(check.fault, check.claim);
    if (sub !== undefined && sub !== iss && !account.users?.includes(String(sub))) {
      return {
        status: 401,
        error: 'unauthorized_client',
        description:
          'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      };
    }
    return account;
  },
  grantScope(_scope, _client, params) {
    const scope = decodeAssertion(params.get('assertion') ?? '')?.claims['scope'];
    return typeof scope === 'string' && scope.trim() !== ''
      ? scope
      : {
          status: 400,
          error: 'invalid_scope',
          description: 'Invalid OAuth scope or ID token audience provided.',
        };
  },
  tokenResponse: ({ access_token, expires_in }) => ({
    access_token,
    expires_in,
    token_type: 'Bearer',
  }),
};
