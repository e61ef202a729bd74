/**
 * RFC 7523 client assertions (`private_key_jwt`, `client_secret_jwt`; OpenID Connect Core
 * §9): a short-lived JWT signed with the client's key or secret, sent as `client_assertion`.
 * jose does the crypto. Each token request gets a fresh assertion: a new `jti` (servers
 * refuse a replay) and `iat`/`exp` in the server's time when we learnt our clock is off.
 */
import { importJWK, importPKCS8, type JWK, SignJWT } from 'jose';
import {
  type CredentialInput,
  credentialIdentity,
  isCredentialInput,
  objectIdentity,
} from './credential-source.ts';
import { ConfigError } from './errors.ts';
import { type SecretSource, secretSource } from './secret-source.ts';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A private key as `CryptoKey`, JWK (with `d`), or PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export type PrivateKeyInput = CryptoKey | JWK | string;

export interface ClientAssertionOptions {
  /** `private_key_jwt`: the signing key. Not used by `client_secret_jwt` (the secret signs). */
  privateKey?: PrivateKeyInput;
  /**
   * An assertion issued elsewhere, sent as `private_key_jwt` is (workload identity: a
   * Kubernetes service-account token, Entra's `AZURE_FEDERATED_TOKEN_FILE`, a GitHub Actions
   * OIDC token): a string, a function, or `fromFile(path)` from `@m2m-auth/core/files`. Read
   * before the first token request; again before a later one when the file changed or the
   * JWT's `exp` is within a minute; and once more when the server refuses it. Instead of
   * `privateKey`.
   */
  assertion?: CredentialInput;
  /**
   * JWS algorithm. @default the JWK's `alg`, else `RS256` for RSA, `ES256`/`ES384`/`ES512`
   * by curve, `EdDSA` for Ed25519 keys; `HS256` for `client_secret_jwt`
   */
  alg?: string;
  /** `kid` header, so the server picks the key from the client's JWKS. @default the JWK's `kid` */
  kid?: string;
  /**
   * `aud` claim: the token endpoint URL (RFC 7523 §3), the issuer (some servers, and OpenID
   * Connect's recommendation from 2025 on), or any string. @default 'token_endpoint'
   */
  audience?: 'token_endpoint' | 'issuer' | (string & {});
  /** Seconds until the assertion expires. @default 60 */
  lifetimeSeconds?: number;
}

export interface AssertionSigner {
  /** A fresh assertion for `clientId` at `audience`, timed by `now` (ms, server time). */
  sign(clientId: string, audience: string, now: number): Promise<string>;
  /** What identifies the key in the cache key (never the key material itself). */
  readonly fingerprint: string;
  /** An assertion issued elsewhere: loaded before each token request, re-read once if refused. */
  readonly source?: SecretSource;
}

/** Options that cannot work, refused where they are given. */
export function checkClientAssertion(options: ClientAssertionOptions | undefined): void {
  if (options?.assertion === undefined) return;
  if (!isCredentialInput(options.assertion) || options.assertion === '') {
    throw new ConfigError(
      'clientAssertion.assertion must be a non-empty string, a function or a source',
    );
  }
  if (options.privateKey !== undefined) {
    throw new ConfigError(
      'clientAssertion takes an assertion from outside or a privateKey to sign one, not both',
    );
  }
}

/**
 * `private_key_jwt` with an assertion from outside: what the source holds is sent as it is
 * (the platform chose its claims); the cache key knows the source, not the rotating JWT.
 */
export function externalAssertion(
  input: CredentialInput,
  onValue: (assertion: string) => void,
): AssertionSigner {
  const source = secretSource(input, onValue, 'clientAssertion.assertion');
  return {
    fingerprint: `external:${credentialIdentity(input)}`,
    source,
    async sign() {
      return (source.current() ?? (await source.load())) as string;
    },
  };
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

async function importKey(input: PrivateKeyInput, alg: string | undefined) {
  if (typeof input === 'string') return (await importPKCS8(input, alg as string)) as CryptoKey;
  if (typeof (input as CryptoKey).type === 'string' && 'algorithm' in input) {
    if ((input as CryptoKey).type !== 'private') {
      throw new ConfigError('clientAssertion.privateKey must be a private key');
    }
    return input as CryptoKey;
  }
  return (await importJWK(input as JWK, alg)) as CryptoKey; // `d` checked at construction
}

/** A signer for `private_key_jwt`: the key is imported once, on the first request. */
export function privateKeySigner(options: ClientAssertionOptions): AssertionSigner {
  const input = options.privateKey;
  if (input === undefined) {
    throw new ConfigError("clientAuth 'private_key_jwt' needs clientAssertion.privateKey");
  }
  const jwk = typeof input === 'object' && !('algorithm' in input) ? (input as JWK) : undefined;
  const kid = options.kid ?? jwk?.kid;
  // Checked here, at construction: a bad key is a ConfigError before any request.
  if (typeof input === 'string' && !input.includes('PRIVATE KEY')) {
    throw new ConfigError('clientAssertion.privateKey must be a PKCS#8 PEM private key');
  }
  if (typeof input === 'string' && !options.alg) {
    throw new ConfigError('clientAssertion.alg is required with a PEM key');
  }
  if (jwk && typeof jwk.d !== 'string') {
    throw new ConfigError('clientAssertion.privateKey JWK has no private part (d)');
  }
  const importAlg = options.alg ?? (jwk ? jwkAlg(jwk) : undefined);
  if (jwk && !importAlg) throw new ConfigError('clientAssertion.alg is required for this JWK');
  let key: Promise<CryptoKey> | undefined;
  return {
    fingerprint: `pkjwt:${kid ?? ''}:${importAlg ?? ''}:${keyIdentity(input)}`,
    async sign(clientId, audience, now) {
      key ??= importKey(input, importAlg).catch((error: unknown) => {
        key = undefined; // not kept: the next request tries again
        throw new ConfigError(
          `clientAssertion.privateKey could not be imported: ${(error as Error).message}`,
        );
      });
      const resolved = await key;
      const alg = importAlg ?? defaultAlg(resolved);
      return assertion(clientId, audience, now, options, { alg, ...(kid ? { kid } : {}) }).sign(
        resolved,
      );
    },
  };
}

/** A signer for `client_secret_jwt`: HMAC with the client secret (as UTF-8 bytes). */
export function secretSigner(
  options: ClientAssertionOptions,
  secret: () => string,
): AssertionSigner {
  const alg = options.alg ?? 'HS256';
  if (!/^HS(256|384|512)$/.test(alg)) {
    throw new ConfigError(`client_secret_jwt signs with HS256, HS384 or HS512, not ${alg}`);
  }
  return {
    fingerprint: `csjwt:${alg}`,
    sign: (clientId, audience, now) =>
      assertion(clientId, audience, now, options, { alg }).sign(new TextEncoder().encode(secret())),
  };
}

function assertion(
  clientId: string,
  audience: string,
  now: number,
  options: ClientAssertionOptions,
  header: { alg: string; kid?: string },
) {
  const iat = Math.floor(now / 1000);
  return new SignJWT({})
    .setProtectedHeader({ ...header, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(crypto.randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeSeconds ?? 60));
}

/**
 * The key's part of the cache key: a PEM or JWK is hashed with the rest of the key material
 * (never kept in clear); a `CryptoKey` cannot be read, so it is known by its `kid` (give one
 * when processes share a Redis store) or, without, by an id that lives as long as the object.
 */
function keyIdentity(input: PrivateKeyInput): string {
  if (typeof input === 'string') return input;
  if ('algorithm' in input && typeof (input as CryptoKey).type === 'string') {
    return objectIdentity(input as CryptoKey);
  }
  return JSON.stringify(input);
}

/** The signers a provider's options call for: one per assertion method it may use. */
export function assertionSigners(
  config: { clientAuth: string | undefined; clientAssertion: ClientAssertionOptions },
  secret: { current(): string | undefined },
  hasSecret: boolean,
  onAssertion: (assertion: string) => void,
): Partial<Record<'private_key_jwt' | 'client_secret_jwt', AssertionSigner>> {
  const { clientAuth, clientAssertion } = config;
  const signers: Partial<Record<'private_key_jwt' | 'client_secret_jwt', AssertionSigner>> = {};
  if (clientAssertion.assertion !== undefined) {
    signers.private_key_jwt = externalAssertion(clientAssertion.assertion, onAssertion);
  } else if (clientAssertion.privateKey !== undefined) {
    signers.private_key_jwt = privateKeySigner(clientAssertion);
  }
  if (clientAuth === 'client_secret_jwt') {
    signers.client_secret_jwt = secretSigner(clientAssertion, () => secret.current() ?? '');
  } else if (clientAuth === undefined && hasSecret) {
    // With discovery the server may pick client_secret_jwt: HMAC, whatever alg the key uses.
    const alg =
      clientAssertion.alg && /^HS/.test(clientAssertion.alg) ? clientAssertion.alg : 'HS256';
    signers.client_secret_jwt = secretSigner(
      { ...clientAssertion, alg },
      () => secret.current() ?? '',
    );
  }
  return signers;
}
