/**
 * RFC 8693 at the certified server, after oidc-provider authenticated the client (the actor
 * of a delegation by default): `subject_token` is an access token this server issued (a JWT
 * it signed, or an opaque one still active in its store: a revoked one is refused) or a
 * `jwt` of the trusted test issuer with `aud` = this issuer; an `actor_token` is judged the
 * same way. The new access token is for `resource` (or `audience`), within the subject's
 * scopes, with `act` (RFC 8693 §4.1) and the subject's `sub` as claims.
 */
import {
  type GrantContext,
  invalidGrant,
  issueAccessToken,
  param,
  verifyJwt,
} from './grant-issue.ts';
import type { GrantHandler, KoaContextWithOIDC } from './oidc-provider-types.ts';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_EXCHANGE_PARAMS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'scope',
  'resource',
  'audience',
];

const TYPE = 'urn:ietf:params:oauth:token-type:';
const ACCESS_TOKEN = `${TYPE}access_token`;
const JWT = `${TYPE}jwt`;

const words = (value: unknown) =>
  typeof value === 'string' ? value.split(' ').filter(Boolean) : [];

interface Party {
  sub: string;
  scope: string[] | undefined;
}

async function judge(g: GrantContext, what: string, value: string, type: string): Promise<Party> {
  if (type === JWT) {
    const claims = await verifyJwt(g, what, value, g.trustedKeys, {
      issuer: g.trusted.issuer,
      audience: g.issuer,
      requiredClaims: ['sub', 'exp'],
    });
    return { sub: String(claims.sub), scope: undefined };
  }
  if (type !== ACCESS_TOKEN) {
    throw new g.errors.InvalidRequest(`${what} type is not supported (access_token or jwt)`);
  }
  if (value.split('.').length === 3) {
    const claims = await verifyJwt(g, what, value, g.ownKeys, { issuer: g.issuer, typ: 'at+jwt' });
    return { sub: String(claims.sub), scope: words(claims['scope']) };
  }
  const token = await g.provider.ClientCredentials.find(value);
  if (!token) throw invalidGrant(g, `${what} is not an active access token of this server`);
  return { sub: token.clientId, scope: words(token.scope) };
}

function required(g: GrantContext, ctx: KoaContextWithOIDC, name: string): string {
  const value = param(ctx, name);
  if (value === undefined) throw new g.errors.InvalidRequest(`missing required parameter ${name}`);
  return value;
}

export function tokenExchangeHandler(g: GrantContext): GrantHandler {
  return async (ctx) => {
    // First, as oidc-provider's grants do: a nonce challenge spends nothing of the request.
    const proof = await g.dpop.validate(ctx);
    const requested = param(ctx, 'requested_token_type');
    if (requested !== undefined && requested !== ACCESS_TOKEN) {
      throw new g.errors.InvalidRequest('only access tokens are issued (requested_token_type)');
    }
    const subjectType = required(g, ctx, 'subject_token_type');
    const subject = await judge(
      g,
      'the subject token',
      required(g, ctx, 'subject_token'),
      subjectType,
    );
    const actorToken = param(ctx, 'actor_token');
    const actor =
      actorToken === undefined
        ? undefined
        : await judge(g, 'the actor token', actorToken, required(g, ctx, 'actor_token_type'));
    if (actor === undefined && param(ctx, 'actor_token_type') !== undefined) {
      throw new g.errors.InvalidRequest('actor_token_type without actor_token');
    }
    await issueAccessToken(g, ctx, {
      proof,
      ceiling: subject.scope,
      claims: {
        subject_sub: subject.sub,
        act: { sub: actor?.sub ?? ctx.oidc?.client?.clientId },
      },
      issuedTokenType: ACCESS_TOKEN,
    });
  };
}
