/**
 * The certified server's counts, taken inside oidc-provider's own koa app: a middleware that
 * sees every request to the token endpoint (refused ones too: a DPoP nonce challenge, a bad
 * client) and records it on arrival, then what oidc-provider answered.
 */

import type { CertifiedStats, CertifiedTokenRequest } from './certified-stats.ts';
import type { KoaContextWithOIDC, Middleware } from './oidc-provider-types.ts';

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

function field(body: unknown, name: string): string | undefined {
  return typeof body === 'object' && body !== null
    ? text((body as Record<string, unknown>)[name])
    : undefined;
}

function record(ctx: KoaContextWithOIDC, dpop: boolean, status: number): CertifiedTokenRequest {
  const params = ctx.oidc?.params ?? {};
  const resource = params['resource'];
  return {
    status,
    error: field(ctx.body, 'error'),
    clientId: ctx.oidc?.client?.clientId,
    authMethod: ctx.oidc?.client?.clientAuthMethod,
    grantType: text(params['grant_type']),
    resource: Array.isArray(resource) ? resource.map(String) : text(resource),
    dpop,
    tokenType: field(ctx.body, 'access_token') ? field(ctx.body, 'token_type') : undefined,
  };
}

/** The middleware (`provider.use`) that fills `stats`; `tokenPath` is the token route. */
export function countingMiddleware(stats: CertifiedStats, tokenPath: string): Middleware {
  return async (ctx, next) => {
    if (ctx.path === '/.well-known/oauth-authorization-server') stats.discovery.oauth++;
    if (ctx.path === '/.well-known/openid-configuration') stats.discovery.openid++;
    if (ctx.path !== tokenPath) return next();
    const dpop = ctx.get('dpop') !== '';
    // Recorded on arrival, so the order is that of arrival; filled in once answered.
    const seen = record(ctx, dpop, 0);
    stats.tokenRequests.push(seen);
    try {
      await next();
    } finally {
      Object.assign(seen, record(ctx, dpop, ctx.status));
    }
  };
}
