/**
 * The token endpoint profiles, modelled on the vendor guides in `shared/seeds/`:
 *
 * - `cognito` (Fenris Digital, AWS Cognito-based): HTTP Basic (or, as Cognito allows, the
 *   secret in the body); `client_id` may also be in the body and must then match; errors are
 *   `400 {"error": ...}` with no description, as Cognito's; `expires_in` is a JSON string;
 *   24 h tokens (Fenris's figures; Cognito's own default is a number, 3600).
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 * - `tenant` (Fenergo): credentials only in the body; Basic is `401 invalid_client`;
 *   `scope=tenant/<id>` is required and must be one of the client's tenants; 900 s.
 * - `generic` (`POST /oauth/v2/token` platforms): Basic with RFC 6749 §2.3.1 decoding;
 *   bad credentials are `401 invalid_client` with `WWW-Authenticate: Basic`; 3600 s.
 * - `strict-rfc`: RFC 6749 as written: Basic, post or an RFC 7523 client assertion (never
 *   two), 401 with `WWW-Authenticate` for Basic failures, 400 for body-credential failures,
 *   401 for assertion failures.
 * - `dpop`: `strict-rfc` client authentication plus a required RFC 9449 DPoP proof (checked
 *   by the token endpoint, `dpop-verifier.ts`); tokens are `token_type: DPoP`, bound by
 *   `cnf.jkt`.
 * - the vendor profiles of `vendors/` (Entra ID, Auth0, Okta, Keycloak, Google service
 *   accounts, Salesforce), each citing the vendor pages it follows.
 */
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import { type AssertionVerifier, assertionMethod, decodeAssertion } from './client-assertion.ts';
import { basicCredentials } from './form.ts';
import type { AuthMethodSeen } from './stats.ts';
import { VENDOR_PROFILES, type VendorProfileName } from './vendors/index.ts';

export type ProfileName =
  | 'cognito'
  | 'tenant'
  | 'generic'
  | 'strict-rfc'
  | 'dpop'
  | VendorProfileName;

export interface ClientRecord {
  clientId: string;
  clientSecret: string;
  /** Tenants a `tenant`-profile client may ask for as `scope=tenant/<id>`. */
  tenants?: string[];
  /** When set, the only scopes this client may ask for on the other profiles. */
  scopes?: string[];
  /**
   * Public keys for `private_key_jwt` on `strict-rfc`. Any client may use `client_secret_jwt`
   * (HS256/384/512 keyed with `clientSecret`).
   */
  jwks?: { keys: JWK[] };
  /**
   * The one way this client authenticates (RFC 7591 `token_endpoint_auth_method`), on the
   * vendor profiles that register one per client (Auth0, Okta, Keycloak).
   * @default the vendor's default for a new client
   */
  tokenEndpointAuthMethod?:
    | 'client_secret_basic'
    | 'client_secret_post'
    | 'client_secret_jwt'
    | 'private_key_jwt';
  /** RFC 7591 `token_endpoint_auth_signing_alg`: the only assertion `alg` accepted (Keycloak). */
  tokenEndpointAuthSigningAlg?: string;
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`: token requests need a DPoP proof (Okta). */
  dpopBoundAccessTokens?: boolean;
  /**
   * Users the client may act for: Salesforce JWT bearer `sub` (pre-authorized users; for
   * client credentials `[]` means no "Run As" user), Google domain-wide delegation `sub`.
   */
  users?: string[];
  /** APIs the client has a grant for (Auth0 client grants). @default [DEFAULT_AUDIENCE] */
  audiences?: string[];
  /** Entra ID federated identity credentials: tokens of other issuers it accepts as assertions. */
  federatedCredentials?: FederatedCredential[];
}

/** An Entra ID federated identity credential: which external tokens stand for the app. */
export interface FederatedCredential {
  issuer: string;
  subject: string;
  /** @default ['api://AzureADTokenExchange'] */
  audiences?: string[];
  /** The issuer's public keys (Entra reads them from the issuer's discovery document). */
  jwks: { keys: JWK[] };
}

/** Where a token request was sent. */
export interface EndpointContext {
  /** The server's URL, `http://127.0.0.1:<port>`: the issuer of its tokens. */
  issuer: string;
  /** The request's path, tenant or realm included (`/{tenant}/oauth2/v2.0/token`). */
  path: string;
  /** `issuer + path`: the token endpoint URL as the client addressed it. */
  tokenUrl: string;
}

/** What a profile's `tokenResponse` knows about the request it answers. */
export interface TokenAnswerContext extends EndpointContext {
  client: ClientRecord;
  params: Map<string, string>;
  lifetimeSeconds: number;
  /** The server's clock, ms. */
  now: number;
}

export interface OAuthFailure {
  status: number;
  error: string;
  description: string;
  headers?: Record<string, string>;
}

export interface Profile {
  name: ProfileName;
  path: string;
  lifetimeSeconds: number;
  expiresInAsString: boolean;
  /** Every token request needs a valid DPoP proof; tokens are bound to its key. */
  requiresDpop: boolean;
  authenticate(
    req: IncomingMessage,
    params: Map<string, string>,
    clients: Map<string, ClientRecord>,
    assertions: AssertionVerifier,
    endpoint: EndpointContext,
  ): ClientRecord | OAuthFailure | Promise<ClientRecord | OAuthFailure>;
  grantScope(
    scope: string | undefined,
    client: ClientRecord,
    params: Map<string, string>,
    endpoint: EndpointContext,
  ): string | undefined | OAuthFailure;
  /** Paths besides `path` this profile answers: a tenant or realm in the path. */
  matchesPath?(path: string): boolean;
  /** @default ['client_credentials'] */
  grantTypes?: readonly string[];
  /** Whether the client a request claims to be must send a DPoP proof (a per-client setting). */
  dpopRequiredFor?(client: ClientRecord | undefined): boolean;
  /** `aud` of the token. @default the `audience` parameter, else `DEFAULT_AUDIENCE` */
  tokenAudience?(params: Map<string, string>, scope: string | undefined): string | undefined;
  /** Hand out opaque tokens with this prefix instead of JWTs (`TokenSigner`). */
  opaqueTokenPrefix?: string;
  /** The vendor's success body, made from the standard one. */
  tokenResponse?(
    standard: Record<string, unknown>,
    context: TokenAnswerContext,
  ): Record<string, unknown>;
  /** The vendor's error body. @default `{ error, error_description }` */
  errorBody?(failure: OAuthFailure, context: { now: number }): Record<string, unknown>;
}

/** How the request authenticates the client; `both` is any two or more ways at once. */
export function authMethodSeen(req: IncomingMessage, params: Map<string, string>): AuthMethodSeen {
  const basic = Boolean(req.headers.authorization?.toLowerCase().startsWith('basic'));
  const post = params.has('client_secret');
  const assertion = params.has('client_assertion') || params.has('client_assertion_type');
  const count = Number(basic) + Number(post) + Number(assertion);
  if (count > 1) return 'both';
  if (assertion) {
    return assertionMethod(decodeAssertion(params.get('client_assertion') ?? '')?.header.alg);
  }
  return basic ? 'basic' : post ? 'post' : 'none';
}

const invalidClient = (
  status: number,
  description: string,
  basicChallenge: boolean,
): OAuthFailure => ({
  status,
  error: 'invalid_client',
  description,
  ...(basicChallenge ? { headers: { 'www-authenticate': 'Basic realm="token"' } } : {}),
});

function checkSecret(clients: Map<string, ClientRecord>, id: string, secret: string | undefined) {
  const client = clients.get(id);
  return client && secret !== undefined && client.clientSecret === secret ? client : undefined;
}

function viaBasic(req: IncomingMessage, clients: Map<string, ClientRecord>, status = 401) {
  const creds = basicCredentials(req, true);
  if (!creds) return invalidClient(status, 'HTTP Basic client authentication required', true);
  return (
    checkSecret(clients, creds.clientId, creds.clientSecret) ??
    invalidClient(401, 'unknown client or wrong secret', true)
  );
}

function viaBody(params: Map<string, string>, clients: Map<string, ClientRecord>, status: number) {
  const id = params.get('client_id');
  if (!id) return invalidClient(status, 'client_id and client_secret required in the body', false);
  return (
    checkSecret(clients, id, params.get('client_secret')) ??
    invalidClient(status, 'unknown client or wrong secret', false)
  );
}

function strictAuthentication(
  req: IncomingMessage,
  params: Map<string, string>,
  clients: Map<string, ClientRecord>,
  assertions: AssertionVerifier,
): ClientRecord | OAuthFailure | Promise<ClientRecord | OAuthFailure> {
  const method = authMethodSeen(req, params);
  if (method === 'both') {
    return {
      status: 400,
      error: 'invalid_request',
      description: 'more than one client authentication method',
    };
  }
  if (method === 'private_key_jwt' || method === 'client_secret_jwt') {
    return assertions.verify(params, clients);
  }
  return method === 'post' ? viaBody(params, clients, 400) : viaBasic(req, clients);
}

function anyScope(
  scope: string | undefined,
  client: ClientRecord,
): string | undefined | OAuthFailure {
  if (!scope || !client.scopes) return scope;
  const unknown = scope.split(' ').filter((s) => !client.scopes?.includes(s));
  return unknown.length === 0
    ? scope
    : {
        status: 400,
        error: 'invalid_scope',
        description: `scope not allowed: ${unknown.join(' ')}`,
      };
}

export const profiles: Record<ProfileName, Profile> = {
  cognito: {
    name: 'cognito',
    path: '/cognito/oauth2/token',
    lifetimeSeconds: 86_400,
    expiresInAsString: true,
    requiresDpop: false,
    authenticate(req, params, clients) {
      // Basic, or both in the body (client_secret_post): the page allows either.
      const basic = basicCredentials(req, true);
      const id = basic === undefined ? params.get('client_id') : basic?.clientId;
      const secret = basic === undefined ? params.get('client_secret') : basic?.clientSecret;
      const client = id === undefined ? undefined : checkSecret(clients, id, secret);
      if (!client) return { status: 400, error: 'invalid_client', description: 'bad credentials' };
      const bodyId = params.get('client_id');
      if (bodyId !== undefined && bodyId !== client.clientId) {
        return {
          status: 400,
          error: 'invalid_request',
          description: 'client_id in the body does not match',
        };
      }
      return client;
    },
    grantScope: anyScope,
    // "Sample error response": HTTP 400 and `error` alone.
    errorBody: ({ error }) => ({ error }),
  },
  tenant: {
    name: 'tenant',
    path: '/tenant/connect/token',
    lifetimeSeconds: 900,
    expiresInAsString: false,
    requiresDpop: false,
    authenticate(req, params, clients) {
      if (req.headers.authorization) {
        return invalidClient(401, 'send client_id and client_secret in the body', false);
      }
      return viaBody(params, clients, 401);
    },
    grantScope(scope, client) {
      const tenant = /^tenant\/([^\s/]+)$/.exec(scope ?? '')?.[1];
      if (!tenant)
        return {
          status: 400,
          error: 'invalid_scope',
          description: 'scope tenant/<tenant-id> is required',
        };
      if (!client.tenants?.includes(tenant)) {
        return {
          status: 400,
          error: 'invalid_scope',
          description: `client has no access to tenant ${tenant}`,
        };
      }
      return `tenant/${tenant}`;
    },
  },
  generic: {
    name: 'generic',
    path: '/oauth/v2/token',
    lifetimeSeconds: 3600,
    expiresInAsString: false,
    requiresDpop: false,
    authenticate: (req, _params, clients) => viaBasic(req, clients),
    grantScope: anyScope,
  },
  'strict-rfc': {
    name: 'strict-rfc',
    path: '/strict/token',
    lifetimeSeconds: 3600,
    expiresInAsString: false,
    requiresDpop: false,
    authenticate: strictAuthentication,
    grantScope: anyScope,
  },
  dpop: {
    name: 'dpop',
    path: '/dpop/token',
    lifetimeSeconds: 3600,
    expiresInAsString: false,
    requiresDpop: true,
    authenticate: strictAuthentication,
    grantScope: anyScope,
  },
  ...VENDOR_PROFILES,
};
