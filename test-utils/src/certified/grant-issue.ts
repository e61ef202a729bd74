/**
 * What the certified server's extra grants (`jwt-bearer-grant.ts`, `token-exchange-grant.ts`)
 * share: a JWT verified with jose into an `invalid_grant` that names the reason and never the
 * token, and an access token issued as oidc-provider issues client-credentials tokens (its
 * `ClientCredentials` model, the requested resource's format and TTL), so the certified APIs,
 * introspection, revocation and the counts treat it like any other.
 */
import {
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  errors as jose,
  jwtVerify,
} from 'jose';
import type { DpopSteps } from './oidc-provider-helpers.ts';
import type {
  KoaContextWithOIDC,
  OidcProvider,
  OidcProviderModule,
} from './oidc-provider-types.ts';
import type { TrustedIssuer } from './trusted-issuer.ts';

export interface GrantContext {
  provider: OidcProvider;
  errors: OidcProviderModule['errors'];
  issuer: string;
  tokenUrl: string;
  /** The server's own public signing keys (its JWT access tokens). */
  ownKeys: JWTVerifyGetKey;
  trusted: TrustedIssuer;
  trustedKeys: JWTVerifyGetKey;
  /** The resource server info of a registered resource (`undefined`: not registered). */
  resourceInfo(resource: string): (Record<string, unknown> & { scope: string }) | undefined;
  /** Claims added to a token this grant issues (read by `extraTokenClaims`). */
  extras: WeakMap<object, Record<string, unknown>>;
  /** oidc-provider's own DPoP steps for grants (`oidc-provider-helpers.ts`). */
  dpop: DpopSteps;
}

/** `invalid_grant` with our description (oidc-provider's own is fixed: "grant request is invalid"). */
export const invalidGrant = (g: GrantContext, description: string): Error =>
  Object.assign(new g.errors.InvalidGrant(), { error_description: description });

/** `jwtVerify` whose failures are `invalid_grant` "<what> <why>" (no token text). */
export async function verifyJwt(
  g: GrantContext,
  what: string,
  value: string,
  keys: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(value, keys, { algorithms: ['ES256'], ...options })).payload;
  } catch (error) {
    if (error instanceof jose.JWTExpired) throw invalidGrant(g, `${what} expired`);
    if (error instanceof jose.JWTClaimValidationFailed) {
      throw invalidGrant(g, `${what} has a wrong or missing ${error.claim} claim`);
    }
    throw invalidGrant(g, `${what} is not a valid JWT of a trusted issuer`);
  }
}

const single = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export const param = (ctx: KoaContextWithOIDC, name: string): string | undefined =>
  single(ctx.oidc?.params?.[name]);

export interface Issue {
  /** The scopes the token may not go beyond (a subject token's); none: the client's. */
  ceiling?: string[] | undefined;
  /** Extra claims of the token (a JWT's payload, an introspection answer). */
  claims: Record<string, unknown>;
  /** `issued_token_type` of the answer (token exchange). */
  issuedTokenType?: string;
  /** The request's DPoP proof as `dpop.validate` found it (binds the token). */
  proof: unknown;
}

export async function issueAccessToken(
  g: GrantContext,
  ctx: KoaContextWithOIDC,
  issue: Issue,
): Promise<void> {
  const resource = param(ctx, 'resource') ?? param(ctx, 'audience');
  if (resource === undefined)
    throw new g.errors.InvalidTarget('a resource or audience is required');
  const info = g.resourceInfo(resource);
  if (!info) throw new g.errors.InvalidTarget();
  const client = ctx.oidc?.client;
  const allowed = (client?.scope ?? '').split(' ');
  const asked = param(ctx, 'scope')?.split(' ') ?? issue.ceiling ?? allowed;
  for (const scope of asked) {
    if (!allowed.includes(scope))
      throw new g.errors.InvalidScope('requested scope is not allowed', scope);
    if (issue.ceiling && !issue.ceiling.includes(scope)) {
      throw new g.errors.InvalidScope('requested scope is beyond the subject token', scope);
    }
  }
  const scope = asked.filter((s) => info.scope.split(' ').includes(s)).join(' ') || undefined;
  const token = new g.provider.ClientCredentials({ client, scope });
  token.resourceServer = new g.provider.ResourceServer(resource, info);
  await g.dpop.bind(ctx, issue.proof, token);
  g.dpop.require(ctx, issue.proof);
  g.extras.set(token, issue.claims);
  ctx.oidc?.entity?.('ClientCredentials', token);
  const value = await token.save();
  ctx.body = {
    access_token: value,
    token_type: token.tokenType,
    expires_in: token.expiration,
    ...(token.scope ? { scope: token.scope } : {}),
    ...(issue.issuedTokenType ? { issued_token_type: issue.issuedTokenType } : {}),
  };
}
