/**
 * Signed assertions (RFC 7523): the JWT `private_key_jwt` and `client_secret_jwt` send as
 * `client_assertion`, and the one a jwt-bearer grant sends as `assertion`. Signed by jose with
 * a key we hold, or by a callback with a key we never see (KMS, HSM). Each token request gets
 * a fresh one: a new `jti` (servers refuse a replay), `iat`/`nbf`/`exp` in the server's time
 * when we learnt our clock is off.
 */
import { importJWK, importPKCS8, type JWK, SignJWT } from 'jose';
import { type CertificateOptions, certificateHeaders } from './certificate-headers.ts';
import { objectIdentity } from './credential-source.ts';
import { ConfigError } from './errors.ts';
import { CALLBACK_ALGS, type SignCallback, signByCallback } from './jws-callback.ts';
import type { SecretSource } from './secret-source.ts';

/** A private key as `CryptoKey`, JWK (with `d`), or PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export type PrivateKeyInput = CryptoKey | JWK | string;

/** How an assertion is signed, and what it carries besides the standard claims. */
export interface AssertionKeyOptions extends CertificateOptions {
  /** The signing key. Not used by `client_secret_jwt` (the secret signs). */
  privateKey?: PrivateKeyInput;
  /**
   * Signs with a key that stays in a KMS or HSM: gets the JWS signing input, returns the
   * signature (ECDSA as `r || s` or DER). Needs `alg`; give `kid` too. Instead of `privateKey`.
   */
  sign?: SignCallback;
  /**
   * JWS algorithm. @default the JWK's `alg`, else `RS256` for RSA, `ES256`/`ES384`/`ES512`
   * by curve, `EdDSA` for Ed25519 keys; `HS256` for `client_secret_jwt`
   */
  alg?: string;
  /** `kid` header, so the server picks the key from the client's JWKS. @default the JWK's `kid` */
  kid?: string;
  /** More claims. `iss`, `sub`, `aud`, `exp`, `iat`, `nbf` and `jti` are ours to set. */
  claims?: Record<string, unknown>;
  /** More protected header parameters. `alg`, `kid` and the certificate's are ours to set. */
  headers?: Record<string, unknown>;
  /** Seconds until the assertion expires. @default 60 */
  lifetimeSeconds?: number;
}

/** Who the assertion is from, about and for. */
export interface AssertionClaims {
  iss: string;
  /** Omitted when undefined (a Google service account not impersonating anyone). */
  sub: string | undefined;
  aud: string;
  /** Claims of this one request (a jwt-bearer grant's `scope`). */
  extra?: Record<string, unknown>;
}

export interface AssertionSigner {
  /** A fresh assertion, timed by `now` (ms, server time). */
  sign(claims: AssertionClaims, now: number): Promise<string>;
  /** What identifies the key in the cache key (never the key material itself). */
  readonly fingerprint: string;
  /** An assertion issued elsewhere: loaded before each token request, re-read once if refused. */
  readonly source?: SecretSource;
}

const RESERVED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'];
const RESERVED_HEADERS = ['alg', 'kid', 'x5t', 'x5t#S256', 'x5c', 'crit', 'b64'];

/** Claims and headers a caller may not set, refused at construction. */
export function checkAssertionKey(options: AssertionKeyOptions, name: string): void {
  for (const [field, reserved] of [
    ['claims', RESERVED_CLAIMS],
    ['headers', RESERVED_HEADERS],
  ] as const) {
    const given = options[field];
    if (given === undefined) continue;
    if (typeof given !== 'object' || given === null) {
      throw new ConfigError(`${name}.${field} must be an object`);
    }
    const taken = Object.keys(given).filter((key) => reserved.includes(key));
    if (taken.length > 0) {
      throw new ConfigError(`${name}.${field} may not set ${taken.join(', ')}: m2m-auth does`);
    }
  }
  if (options.sign !== undefined) {
    if (typeof options.sign !== 'function') {
      throw new ConfigError(`${name}.sign must be a function`);
    }
    if (options.privateKey !== undefined) {
      throw new ConfigError(`${name} takes privateKey or sign, not both`);
    }
    if (!options.alg || !CALLBACK_ALGS.includes(options.alg)) {
      throw new ConfigError(`${name}.sign needs alg, one of ${CALLBACK_ALGS.join(', ')}`);
    }
  }
}

function defaultAlg(key: CryptoKey): string {
  const algorithm = key.algorithm as { name: string; namedCurve?: string };
  if (algorithm.name === 'ECDSA') {
    return (
      { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[algorithm.namedCurve ?? ''] ??
      'ES256'
    );
  }
  if (algorithm.name === 'RSA-PSS') return 'PS256';
  if (algorithm.name === 'Ed25519' || algorithm.name === 'EdDSA') return 'EdDSA';
  return 'RS256';
}

/** A JWK's algorithm when it names none: RS256, ES256/384/512 by curve, EdDSA for OKP. */
function jwkAlg(jwk: JWK): string | undefined {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC')
    return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv ?? ''];
  if (jwk.kty === 'OKP') return 'EdDSA';
  return undefined;
}

const isCryptoKey = (input: PrivateKeyInput): input is CryptoKey =>
  typeof input === 'object' && 'algorithm' in input && typeof input.type === 'string';

async function importKey(input: PrivateKeyInput, alg: string | undefined, name: string) {
  if (typeof input === 'string') return (await importPKCS8(input, alg as string)) as CryptoKey;
  if (isCryptoKey(input)) {
    if (input.type !== 'private') throw new ConfigError(`${name}.privateKey must be a private key`);
    return input;
  }
  return (await importJWK(input, alg)) as CryptoKey; // `d` checked at construction
}

/**
 * The key's part of the cache key: a PEM or JWK is hashed with the rest of the key material
 * (never kept in clear); a `CryptoKey` or a sign callback cannot be read, so it is known by
 * its `kid` (give one when processes share a Redis store) or, without, by an id that lives as
 * long as the object. Extra claims may change what the token is for, so they count too.
 */
function keyFingerprint(options: AssertionKeyOptions, kid: string | undefined, alg: string) {
  const input = options.sign ?? (options.privateKey as PrivateKeyInput);
  const identity =
    typeof input === 'string'
      ? input
      : typeof input === 'function' || isCryptoKey(input)
        ? kid
          ? ''
          : objectIdentity(input)
        : JSON.stringify(input);
  const claims = options.claims ? `:claims:${JSON.stringify(options.claims)}` : '';
  return `pkjwt:${kid ?? ''}:${alg}:${identity}${claims}`;
}

/** The signed JWT: our claims over the caller's, our header parameters over theirs. */
function assertionParts(
  claims: AssertionClaims,
  now: number,
  options: AssertionKeyOptions,
  header: { alg: string } & Record<string, unknown>,
) {
  const iat = Math.floor(now / 1000);
  const payload = {
    ...options.claims,
    ...claims.extra,
    iss: claims.iss,
    ...(claims.sub === undefined ? {} : { sub: claims.sub }),
    aud: claims.aud,
    jti: crypto.randomUUID(),
    iat,
    nbf: iat,
    exp: iat + (options.lifetimeSeconds ?? 60),
  };
  return { payload, header: { typ: 'JWT', ...options.headers, ...header } };
}

/** A signer for `private_key_jwt` or a jwt-bearer grant: a key imported once, or a callback. */
export function privateKeySigner(options: AssertionKeyOptions, name: string): AssertionSigner {
  checkAssertionKey(options, name);
  const input = options.privateKey;
  const callback = options.sign;
  if (input === undefined && callback === undefined) {
    throw new ConfigError(`${name} needs privateKey or sign`);
  }
  const jwk =
    input !== undefined && typeof input === 'object' && !isCryptoKey(input) ? input : undefined;
  const kid = options.kid ?? jwk?.kid;
  // Checked here, at construction: a bad key is a ConfigError before any request.
  if (typeof input === 'string' && !input.includes('PRIVATE KEY')) {
    throw new ConfigError(`${name}.privateKey must be a PKCS#8 PEM private key`);
  }
  if (typeof input === 'string' && !options.alg) {
    throw new ConfigError(`${name}.alg is required with a PEM key`);
  }
  if (jwk && typeof jwk.d !== 'string') {
    throw new ConfigError(`${name}.privateKey JWK has no private part (d)`);
  }
  const importAlg = options.alg ?? (jwk ? jwkAlg(jwk) : undefined);
  if (jwk && !importAlg) throw new ConfigError(`${name}.alg is required for this JWK`);
  const certificate = certificateHeaders(options, name);
  let key: Promise<CryptoKey> | undefined;
  const loadKey = (from: PrivateKeyInput) => {
    key ??= importKey(from, importAlg, name).catch((error: unknown) => {
      key = undefined; // not kept: the next request tries again
      throw new ConfigError(
        `${name}.privateKey could not be imported: ${(error as Error).message}`,
      );
    });
    return key;
  };
  return {
    fingerprint: keyFingerprint(options, kid, importAlg ?? ''),
    async sign(claims, now) {
      const resolved = input === undefined ? undefined : await loadKey(input);
      const alg = importAlg ?? defaultAlg(resolved as CryptoKey);
      const { payload, header } = assertionParts(claims, now, options, {
        alg,
        ...(kid ? { kid } : {}),
        ...(certificate ? await certificate() : {}),
      });
      if (callback) return signByCallback(header, payload, callback);
      return new SignJWT(payload).setProtectedHeader(header).sign(resolved as CryptoKey);
    },
  };
}

/** A signer for `client_secret_jwt`: HMAC with the client secret (as UTF-8 bytes). */
export function secretSigner(options: AssertionKeyOptions, secret: () => string): AssertionSigner {
  const alg = options.alg ?? 'HS256';
  if (!/^HS(256|384|512)$/.test(alg)) {
    throw new ConfigError(`client_secret_jwt signs with HS256, HS384 or HS512, not ${alg}`);
  }
  return {
    fingerprint: `csjwt:${alg}`,
    sign(claims, now) {
      const { payload, header } = assertionParts(claims, now, options, { alg });
      return new SignJWT(payload)
        .setProtectedHeader(header)
        .sign(new TextEncoder().encode(secret()));
    },
  };
}
