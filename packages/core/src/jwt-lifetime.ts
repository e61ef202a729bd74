import { decodeJwt } from 'jose';

/**
 * A JWT access token's lifetime in ms when the response had no usable `expires_in`.
 * With `iat` and `exp` the lifetime is `exp - iat`, which does not depend on our clock;
 * with `exp` alone it is `exp - now`. `undefined` for opaque tokens or useless claims.
 */
export function lifetimeFromJwt(accessToken: string, now: number): number | undefined {
  let claims: { exp?: unknown; iat?: unknown };
  try {
    claims = decodeJwt(accessToken);
  } catch {
    return undefined;
  }
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  const lifetimeMs =
    typeof iat === 'number' && Number.isFinite(iat) && iat < exp
      ? (exp - iat) * 1000
      : exp * 1000 - now;
  return lifetimeMs > 0 ? lifetimeMs : undefined;
}
