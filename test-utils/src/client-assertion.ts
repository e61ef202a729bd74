/**
 * RFC 7523 client assertions, verified for real by the `strict-rfc` token endpoint:
 * `private_key_jwt` (signed with a key whose public half is in the client's `jwks`) and
 * `client_secret_jwt` (an HMAC keyed with the client's secret). Every failure is
 * `401 invalid_client` (RFC 7523 §3.2, RFC 6749 §5.2) with an `error_description` naming
 * the check that failed, and never the assertion itself.
 */
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import type { ClientRecord, OAuthFailure } from './profiles.ts';
import { createSeenJtis, type SeenJtis } from './seen-jtis.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Algorithms accepted for `private_key_jwt` (`Ed25519` is the RFC 9864 name of `EdDSA`). */
export const KEY_ALGS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];
/** Algorithms accepted for `client_secret_jwt`. */
export const SECRET_ALGS: readonly string[] = ['HS256', 'HS384', 'HS512'];
/** Clock leeway for `exp`, `nbf` and `iat`. */
export const ASSERTION_LEEWAY_SECONDS = 30;
/** The longest an assertion may live: `exp` at most this long after `iat` (or now). */
export const ASSERTION_MAX_LIFETIME_SECONDS = 300;

/** How long past its `exp` a vendor profile's `jti` is remembered. */
const VENDOR_JTI_LEEWAY_SECONDS = 300;

export type AssertionMethod = 'private_key_jwt' | 'client_secret_jwt';

/** An assertion's header and claims as received, before any check. */
export interface DecodedAssertion {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

export function decodeAssertion(jwt: string): DecodedAssertion | undefined {
  try {
    return { header: decodeProtectedHeader(jwt), claims: decodeJwt(jwt) };
  } catch {
    return undefined;
  }
}

/** The method an assertion stands for, judged by its `alg` (HMAC: the client secret). */
export const assertionMethod = (alg: string | undefined): AssertionMethod =>
  alg && SECRET_ALGS.includes(alg) ? 'client_secret_jwt' : 'private_key_jwt';

export interface AssertionVerifier {
  /** The client the form's `client_assertion` authenticates, or why it does not. */
  verify(
    params: Map<string, string>,
    clients: Map<string, ClientRecord>,
  ): Promise<ClientRecord | OAuthFailure>;
  /** The server's clock, for the vendor profiles' own assertion rules. */
  now(): number;
  /** The server's replay memory for the vendor profiles' assertions (`jti` per issuer). */
  readonly jtis: SeenJtis;
}

const refuse = (description: string): OAuthFailure => ({
  status: 401,
  error: 'invalid_client',
  description: `client assertion refused: ${description}`,
});

/** What a jose verification error means for the client, in words. */
function describe(error: unknown, method: AssertionMethod): string {
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return method === 'client_secret_jwt'
      ? 'signature does not verify with the client secret'
      : "signature does not verify with the client's registered keys";
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "no key in the client's jwks matches the assertion's alg and kid";
  }
  if (error instanceof errors.JWTExpired) return 'expired (exp is in the past)';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `${error.claim} is required`;
    if (error.claim === 'aud') return 'aud must contain the token endpoint URL or the issuer';
    if (error.claim === 'nbf') return 'nbf is in the future';
    return `${error.claim} is invalid`;
  }
  if (error instanceof errors.JOSEError) return `not a valid signed JWT (${error.code})`;
  return 'could not be verified';
}

export function createAssertionVerifier(options: {
  /** Accepted `aud` values: the token endpoint URL and the issuer. */
  audiences: readonly string[];
  now: () => number;
}): AssertionVerifier {
  const { audiences, now } = options;
  const seen = createSeenJtis(now, ASSERTION_LEEWAY_SECONDS);

  async function verify(params: Map<string, string>, clients: Map<string, ClientRecord>) {
    const type = params.get('client_assertion_type');
    const jwt = params.get('client_assertion');
    if (!type || !jwt) {
      return {
        status: 400,
        error: 'invalid_request',
        description: 'client_assertion and client_assertion_type go together',
      };
    }
    if (type !== JWT_BEARER) return refuse(`client_assertion_type must be ${JWT_BEARER}`);
    const decoded = decodeAssertion(jwt);
    if (!decoded) return refuse('not a JWT');
    const { alg } = decoded.header;
    if (!alg || alg.toLowerCase() === 'none') return refuse('alg none: it must be signed');
    const method = assertionMethod(alg);
    if (!KEY_ALGS.includes(alg) && !SECRET_ALGS.includes(alg)) {
      return refuse(`alg ${alg} is not accepted (${[...KEY_ALGS, ...SECRET_ALGS].join(', ')})`);
    }
    const { iss, sub } = decoded.claims;
    if (typeof sub !== 'string' || iss !== sub)
      return refuse('iss and sub must both be the client_id');
    const client = clients.get(sub);
    if (!client) return refuse('iss and sub are not a known client_id');
    // RFC 7521 §4.2: a client_id next to an assertion must identify the same client; when it
    // does not, the client is not authenticated: invalid_client, like any bad assertion.
    const bodyId = params.get('client_id');
    if (bodyId !== undefined && bodyId !== sub) return refuse('client_id differs from sub');
    if (method === 'private_key_jwt' && !client.jwks) {
      return refuse('the client has no registered keys (jwks) for private_key_jwt');
    }
    const nowMs = now();
    let claims: JWTPayload;
    try {
      const verifyOptions = {
        algorithms: [alg],
        issuer: sub,
        subject: sub,
        audience: [...audiences],
        requiredClaims: ['exp', 'jti'],
        clockTolerance: ASSERTION_LEEWAY_SECONDS,
        currentDate: new Date(nowMs),
      };
      claims =
        method === 'client_secret_jwt' || !client.jwks
          ? (await jwtVerify(jwt, new TextEncoder().encode(client.clientSecret), verifyOptions))
              .payload
          : (await jwtVerify(jwt, createLocalJWKSet(client.jwks), verifyOptions)).payload;
    } catch (error) {
      return refuse(describe(error, method));
    }
    const nowSeconds = nowMs / 1000;
    const { iat, exp, jti } = claims as JWTPayload & { exp: number };
    if (iat !== undefined && iat > nowSeconds + ASSERTION_LEEWAY_SECONDS) {
      return refuse('iat is in the future');
    }
    // Measured from iat, both from the client's clock; without iat, from now, with leeway.
    const limit =
      iat !== undefined
        ? iat + ASSERTION_MAX_LIFETIME_SECONDS
        : nowSeconds + ASSERTION_MAX_LIFETIME_SECONDS + ASSERTION_LEEWAY_SECONDS;
    if (exp > limit) {
      return refuse(
        `exp is more than ${ASSERTION_MAX_LIFETIME_SECONDS} s after ${iat !== undefined ? 'iat' : 'now'}`,
      );
    }
    if (typeof jti !== 'string' || jti === '') return refuse('jti must be a non-empty string');
    if (!seen.claim(sub, jti, exp)) return refuse('jti was already used (a replay)');
    return client;
  }

  // Kept past the longest leeway a vendor profile allows, so no vendor forgets a jti early.
  return { verify, now, jtis: createSeenJtis(now, VENDOR_JTI_LEEWAY_SECONDS) };
}
