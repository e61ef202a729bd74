/**
 * `startCertifiedServer()`: panva's oidc-provider (OpenID Certified), in this process on
 * 127.0.0.1, configured for machine-to-machine clients: client credentials, the four
 * token-endpoint authentication methods, RFC 8707 resource indicators (JWT or opaque access
 * tokens per resource), DPoP with nonces required at the token endpoint, introspection and
 * revocation, discovery at the issuer; and, registered with `provider.registerGrantType`, the
 * jwt-bearer grant (RFC 7523) and token exchange (RFC 8693) for authenticated clients, trusting
 * its own access tokens and one test issuer (`trustedIssuer`). Everything else it decides, it
 * decides by its own rules.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import {
  basicAuthorization,
  CERTIFIED_SCOPES,
  type CertifiedClients,
  clientMetadata,
  createCertifiedClients,
} from './certified-clients.ts';
import { type CertifiedStats, createCertifiedStats } from './certified-stats.ts';
import { countingMiddleware } from './counting-middleware.ts';
import type { GrantContext } from './grant-issue.ts';
import { JWT_BEARER, JWT_BEARER_PARAMS, jwtBearerHandler } from './jwt-bearer-grant.ts';
import { createAdapterStorage } from './memory-adapter.ts';
import { loadDpopSteps } from './oidc-provider-helpers.ts';
import type { OidcProviderModule } from './oidc-provider-types.ts';
import {
  TOKEN_EXCHANGE,
  TOKEN_EXCHANGE_PARAMS,
  tokenExchangeHandler,
} from './token-exchange-grant.ts';
import { createTrustedIssuer, type TrustedIssuer, trustedKeys } from './trusted-issuer.ts';

export type AccessTokenFormat = 'jwt' | 'opaque';

export interface CertifiedServerOptions {
  /** Lifetime of access tokens, in seconds. @default 300 */
  accessTokenTtlSeconds?: number;
}

export interface CertifiedServer {
  /** The issuer: this server's URL, no trailing slash (the `iss` of its JWT access tokens). */
  issuer: string;
  tokenUrl: string;
  jwksUri: string;
  introspectionUrl: string;
  revocationUrl: string;
  clients: CertifiedClients;
  /**
   * The test issuer whose ES256 JWTs the server trusts: jwt-bearer assertions (`aud` = the
   * token endpoint or the issuer, `sub`, `exp`, a single-use `jti`) and `jwt` subject or
   * actor tokens of a token exchange (`aud` = the issuer). `sign(claims)` makes one.
   */
  trustedIssuer: TrustedIssuer;
  /** Counted inside oidc-provider's app: every token request, answered or refused. */
  stats: CertifiedStats;
  /**
   * Accept `resource` as a resource indicator from now on: tokens for it have `aud` =
   * `resource`, the scopes `read write`, and the given format (JWT access tokens are ES256,
   * `typ: at+jwt`, RFC 9068; opaque ones can be introspected and revoked). Any other
   * `resource` is `400 invalid_target`.
   */
  registerResource(resource: string, format: AccessTokenFormat): void;
  /** Whether DPoP proofs at the token endpoint must carry the server's nonce. @default true */
  requireDpopNonce(required: boolean): void;
  /** Revokes one (opaque) access token at the revocation endpoint, as the API's client. */
  revoke(token: string): Promise<void>;
  /**
   * Revokes every unexpired opaque access token at the revocation endpoint; returns how many.
   * JWT access tokens cannot be revoked: oidc-provider neither stores nor introspects them.
   */
  revokeAll(): Promise<number>;
  close(): Promise<void>;
}

/** Not a literal in `import()`, so TypeScript does not look for types the package lacks. */
const OIDC_PROVIDER = 'oidc-provider';

/** Endpoint paths, set explicitly so the counting middleware and the URLs agree. */
const ROUTES = {
  token: '/token',
  jwks: '/jwks',
  introspection: '/token/introspection',
  revocation: '/token/revocation',
};

export async function startCertifiedServer(
  options: CertifiedServerOptions = {},
): Promise<CertifiedServer> {
  // Loaded here, not at import: users of the other servers need not install oidc-provider.
  const { default: Provider, errors } = (await import(OIDC_PROVIDER)) as OidcProviderModule;
  const ttl = options.accessTokenTtlSeconds ?? 300;
  const clients = await createCertifiedClients();
  const storage = createAdapterStorage();
  const stats = createCertifiedStats();
  const resources = new Map<string, AccessTokenFormat>();
  let dpopNonceRequired = true;

  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'certified-es256', use: 'sig' };
  const verifyingKey = { ...(await exportJWK(publicKey)), kid: signingKey.kid, use: 'sig' };
  const trustedIssuer = await createTrustedIssuer();
  const extras = new WeakMap<object, Record<string, unknown>>();
  const resourceInfo = (resource: string) => {
    const format = resources.get(resource);
    if (!format) return undefined;
    return {
      scope: CERTIFIED_SCOPES,
      accessTokenTTL: ttl,
      accessTokenFormat: format,
      ...(format === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
    };
  };

  const provider = new Provider(issuer, {
    adapter: storage.Adapter,
    clients: clientMetadata(clients),
    jwks: { keys: [signingKey] },
    routes: ROUTES,
    scopes: CERTIFIED_SCOPES.split(' '),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    enabledJWA: { dPoPSigningAlgValues: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] },
    ttl: { ClientCredentials: () => ttl },
    // The extra grants' claims (`act`, the subject's `sub`...) on the tokens they issue.
    extraTokenClaims: async (_ctx: unknown, token: object) => extras.get(token),
    // The one signing key is ES256: ID tokens (unused here) and JWT access tokens use it.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Only the API's client may introspect: it is the resource server.
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }) =>
          client.clientId === clients.api.clientId,
      },
      revocation: {
        enabled: true,
        // The API's client may revoke any token (revokeAll); a client, its own.
        allowedPolicy: async (
          _ctx: unknown,
          client: { clientId: string },
          token: { clientId: string },
        ) => client.clientId === clients.api.clientId || client.clientId === token.clientId,
      },
      dPoP: {
        enabled: true,
        nonceSecret: randomBytes(32),
        requireNonce: () => dpopNonceRequired,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          const info = resourceInfo(resource);
          if (!info) throw new errors.InvalidTarget();
          return info;
        },
      },
    },
  });
  const grants: GrantContext = {
    provider,
    errors,
    issuer,
    tokenUrl: `${issuer}${ROUTES.token}`,
    ownKeys: createLocalJWKSet({ keys: [verifyingKey] }),
    trusted: trustedIssuer,
    trustedKeys: trustedKeys(trustedIssuer),
    resourceInfo,
    extras,
    dpop: await loadDpopSteps(provider),
  };
  // `resource` may repeat, as for client credentials (one is issued for, the rest refused).
  provider.registerGrantType(JWT_BEARER, jwtBearerHandler(grants), JWT_BEARER_PARAMS, ['resource']);
  provider.registerGrantType(TOKEN_EXCHANGE, tokenExchangeHandler(grants), TOKEN_EXCHANGE_PARAMS, [
    'resource',
  ]);
  provider.use(countingMiddleware(stats, ROUTES.token));
  http.on('request', provider.callback());

  const revocationUrl = `${issuer}${ROUTES.revocation}`;
  async function revoke(token: string) {
    const response = await fetch(revocationUrl, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(clients.api),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`revocation answered ${response.status}`);
  }

  return {
    issuer,
    tokenUrl: `${issuer}${ROUTES.token}`,
    jwksUri: `${issuer}${ROUTES.jwks}`,
    introspectionUrl: `${issuer}${ROUTES.introspection}`,
    revocationUrl,
    clients,
    trustedIssuer,
    stats,
    registerResource: (resource, format) => resources.set(resource, format),
    requireDpopNonce(required) {
      dpopNonceRequired = required;
    },
    revoke,
    async revokeAll() {
      // An opaque access token's value is its id in the store.
      const tokens = storage.ids('ClientCredentials');
      await Promise.all(tokens.map(revoke));
      return tokens.length;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        http.close((error) => (error ? reject(error) : resolve()));
        http.closeAllConnections();
      }),
  };
}
