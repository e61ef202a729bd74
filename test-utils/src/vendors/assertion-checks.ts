/**
 * The checks a vendor profile makes of a JWT it is handed (a client assertion, or the
 * `assertion` of an RFC 7523 jwt-bearer grant), verified for real with jose. Every vendor
 * has its own rules and its own words for a failure, so the checks only say *which* rule
 * failed (`AssertionFault`) and the profile answers the way its vendor does.
 */
import { type CryptoKey, compactVerify, importJWK, type JWK, type JWTPayload } from 'jose';
import { type DecodedAssertion, decodeAssertion } from '../client-assertion.ts';
import type { SeenJtis } from '../seen-jtis.ts';

export type AssertionFault =
  /** Not a JWT. */
  | 'malformed'
  /** `alg` is not one the vendor accepts. */
  | 'alg'
  /** No registered key fits the header (`kid`, thumbprint, `alg`). */
  | 'key'
  | 'signature'
  | 'audience'
  /** `exp` missing or passed. */
  | 'expired'
  /** `nbf` or `iat` in the future. */
  | 'not-yet-valid'
  /** `exp` further ahead than the vendor allows. */
  | 'lifetime'
  /** A claim the vendor requires is missing (`claim` says which). */
  | 'missing'
  /** `jti` seen before for this issuer. */
  | 'replay';

export interface AssertionRules {
  algorithms: readonly string[];
  /** The keys that may have signed it (already picked by `kid` or thumbprint), or an HMAC secret. */
  keys: readonly JWK[] | Uint8Array;
  /** `aud` must be (or, unless `singleAudience`, contain) one of these. */
  audiences: readonly string[];
  /** `aud` must be one string, not an array. */
  singleAudience?: boolean;
  leewaySeconds: number;
  /** `exp` at most this long after `iat` (`from: 'iat'`; now when there is none) or now. */
  maxLifetime?: { seconds: number; from: 'iat' | 'now' };
  /** Claims that must be present besides `exp`. */
  required?: readonly ('iat' | 'nbf' | 'jti' | 'sub')[];
  /** A `jti`, when there is one, may be used once (per issuer). */
  singleUseJti: boolean;
  /** The server's time, ms. */
  now: number;
  jtis: SeenJtis;
}

export type AssertionCheck =
  | ({ ok: true } & DecodedAssertion)
  | { ok: false; fault: AssertionFault; claim?: string; decoded?: DecodedAssertion };

async function candidateKeys(keys: AssertionRules['keys'], alg: string) {
  if (keys instanceof Uint8Array) return [keys];
  const usable: (CryptoKey | Uint8Array)[] = [];
  for (const jwk of keys) {
    if (jwk.alg !== undefined && jwk.alg !== alg) continue;
    try {
      usable.push(await importJWK(jwk, alg));
    } catch {
      // a key of another type than alg needs
    }
  }
  return usable;
}

async function verifies(jwt: string, keys: readonly (CryptoKey | Uint8Array)[], alg: string) {
  for (const key of keys) {
    try {
      await compactVerify(jwt, key, { algorithms: [alg] });
      return true;
    } catch {
      // try the next key
    }
  }
  return false;
}

function timeFault(claims: JWTPayload, rules: AssertionRules): AssertionFault | undefined {
  const now = rules.now / 1000;
  const leeway = rules.leewaySeconds;
  const { exp, nbf, iat } = claims;
  if (typeof exp !== 'number' || exp + leeway <= now) return 'expired';
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - leeway > now)) return 'not-yet-valid';
  if (iat !== undefined && (typeof iat !== 'number' || iat - leeway > now)) return 'not-yet-valid';
  const max = rules.maxLifetime;
  if (max) {
    const from = max.from === 'iat' && typeof iat === 'number' ? iat : now + leeway;
    if (exp > from + max.seconds) return 'lifetime';
  }
  return undefined;
}

/** Verifies `jwt` under `rules`; the `jti` is claimed last, so a refused assertion uses none up. */
export async function checkAssertion(jwt: string, rules: AssertionRules): Promise<AssertionCheck> {
  const decoded = decodeAssertion(jwt);
  if (!decoded) return { ok: false, fault: 'malformed' };
  const refuse = (fault: AssertionFault, claim?: string): AssertionCheck => ({
    ok: false,
    fault,
    decoded,
    ...(claim ? { claim } : {}),
  });
  const { header, claims } = decoded;
  const alg = header.alg;
  if (!alg || !rules.algorithms.includes(alg)) return refuse('alg');
  const keys = await candidateKeys(rules.keys, alg);
  if (keys.length === 0) return refuse('key');
  if (!(await verifies(jwt, keys, alg))) return refuse('signature');
  for (const claim of ['exp', ...(rules.required ?? [])]) {
    if (claims[claim] === undefined) return refuse('missing', claim);
  }
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : rules.singleAudience ? [] : (aud ?? []);
  if (!audiences.some((a) => rules.audiences.includes(a))) return refuse('audience');
  const time = timeFault(claims, rules);
  if (time) return refuse(time);
  const { jti, iss, exp } = claims as JWTPayload & { exp: number };
  if (jti !== undefined && (typeof jti !== 'string' || jti === '')) return refuse('missing', 'jti');
  if (rules.singleUseJti && jti !== undefined && !rules.jtis.claim(String(iss), jti, exp)) {
    return refuse('replay');
  }
  return { ok: true, header, claims };
}

/** The JWKs of `keys` that may be the one `kid` names (all of them when there is no `kid`). */
export const byKid = (keys: readonly JWK[], kid: string | undefined): JWK[] =>
  kid === undefined ? [...keys] : keys.filter((key) => key.kid === kid);
