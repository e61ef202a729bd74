/**
 * `entra`: Microsoft Entra ID's v2 token endpoint, client credentials grant.
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 * https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation
 *
 * - `POST /{tenant}/oauth2/v2.0/token`, the tenant as its id or its domain name; any other
 *   tenant is `400 invalid_request` AADSTS90002.
 * - `scope` is required and is exactly one `<resource>/.default` of a known resource (the
 *   resource becomes the token's `aud`); two resources are AADSTS70011, a scope without
 *   `/.default` AADSTS1002012, an unknown resource AADSTS500011.
 * - The client authenticates with its secret, in the body or with HTTP Basic, or with a
 *   `client_assertion` (`client_id` in the body too):
 *   - a certificate's: `iss` = `sub` = the client id, `alg` PS256 (or RS256, as the older
 *     page and MSAL send it), `x5t#S256` (or `x5t`) naming a certificate registered for the
 *     client (a JWK of its `jwks` with that thumbprint), `aud` the v2 token URL, `exp`,
 *     `nbf`, `jti`. "Microsoft Entra ID doesn't place restrictions on the exp time", so none
 *     here either.
 *   - a federated one: a JWT of another issuer whose `iss`, `sub` and `aud` match one of the
 *     client's `federatedCredentials` (AADSTS700211/700213/700212 otherwise), signed by that
 *     issuer's key.
 * - Answers `{ token_type, expires_in: 3599, ext_expires_in, access_token }`; every error has
 *   the AADSTS shape of `entra-errors.ts`.
 */
import { decodeAssertion, JWT_BEARER } from '../client-assertion.ts';
import type { Profile } from '../profiles.ts';
import { certificateAssertion, federatedAssertion } from './entra-assertions.ts';
import { aadsts, entraErrorBody } from './entra-errors.ts';
import { presentedCredentials, secretOwner } from './presented-credentials.ts';

export const ENTRA_TENANT_ID = '8d4a7f3c-1e2b-4c5d-9a6f-0b1c2d3e4f5a';
export const ENTRA_TENANT_DOMAIN = 'm2m-auth-test.onmicrosoft.com';
/** The API `demo-client` asks for (`scope: 'api://m2m-auth-test-api/.default'`). */
export const ENTRA_RESOURCE = 'api://m2m-auth-test-api';
/** The resources of the tenant; a client's `scopes` (`<resource>/.default`) add its own. */
const RESOURCES = [ENTRA_RESOURCE, 'https://graph.microsoft.com'];
const PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;

const isTenant = (tenant: string | undefined) =>
  tenant === ENTRA_TENANT_ID || tenant?.toLowerCase() === ENTRA_TENANT_DOMAIN;

const tokenUrls = (issuer: string) =>
  [ENTRA_TENANT_ID, ENTRA_TENANT_DOMAIN].map((t) => `${issuer}/${t}/oauth2/v2.0/token`);

const missing = (parameter: string) =>
  aadsts(
    400,
    'invalid_request',
    900144,
    `The request body must contain the following parameter: '${parameter}'.`,
  );

const notInTenant = (clientId: string) =>
  aadsts(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${ENTRA_TENANT_DOMAIN}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );

export const entra: Profile = {
  name: 'entra',
  path: `/${ENTRA_TENANT_ID}/oauth2/v2.0/token`,
  matchesPath: (path) => PATH.test(path),
  lifetimeSeconds: 3599,
  expiresInAsString: false,
  requiresDpop: false,
  async authenticate(req, params, clients, assertions, endpoint) {
    const tenant = PATH.exec(endpoint.path)?.[1];
    if (!isTenant(tenant)) {
      return aadsts(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    const presented = presentedCredentials(req, params);
    if (presented.method === 'several' || presented.malformedBasic) {
      return aadsts(
        400,
        'invalid_request',
        9002313,
        'Invalid request. Request is malformed or invalid.',
      );
    }
    const { clientId } = presented;
    if (clientId === undefined) return missing('client_id');
    const client = clients.get(clientId);
    if (!client) return notInTenant(clientId);
    if (presented.method === 'none') {
      return aadsts(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    if (presented.method !== 'assertion') {
      return (
        secretOwner(clients, clientId, presented.clientSecret) ??
        aadsts(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        )
      );
    }
    const jwt = params.get('client_assertion');
    if (params.get('client_assertion_type') !== JWT_BEARER || !jwt) {
      return missing(jwt ? 'client_assertion_type' : 'client_assertion');
    }
    const now = assertions.now();
    // Entra's own client id as issuer: a certificate; any other issuer: a federated token.
    return decodeAssertion(jwt)?.claims.iss === client.clientId
      ? certificateAssertion(
          client,
          jwt,
          [endpoint.tokenUrl, ...tokenUrls(endpoint.issuer)],
          now,
          assertions.jtis,
        )
      : federatedAssertion(client, jwt, now, assertions.jtis);
  },
  grantScope(scope, client) {
    if (!scope) return missing('scope');
    const scopes = scope.split(' ').filter(Boolean);
    if (scopes.length !== 1) {
      return aadsts(
        400,
        'invalid_scope',
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
      );
    }
    const [only = ''] = scopes;
    if (!only.endsWith('/.default')) {
      return aadsts(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${only} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = only.slice(0, -'/.default'.length);
    const known = [
      ...RESOURCES,
      ...(client.scopes ?? []).map((s) => s.replace(/\/\.default$/, '')),
    ];
    if (!known.includes(resource)) {
      return aadsts(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${ENTRA_TENANT_DOMAIN}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    return only;
  },
  tokenAudience: (_params, scope) => scope?.replace(/\/\.default$/, ''),
  // No `scope` member: the client credentials answer has none.
  tokenResponse: ({ access_token, expires_in }) => ({
    token_type: 'Bearer',
    expires_in,
    ext_expires_in: expires_in,
    access_token,
  }),
  errorBody: (failure, { now }) => entraErrorBody(failure, now),
};
