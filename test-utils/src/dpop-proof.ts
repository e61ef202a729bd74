/**
 * The client side of DPoP (RFC 9449 §4), for tests and reference clients: key pairs and
 * proofs the test servers accept, or, through `header`/`claims` overrides, refuse in one way.
 */
import { createHash } from 'node:crypto';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

export type DpopAlg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';

export interface DpopKeys {
  alg: DpopAlg;
  /** Signs proofs (extractable, so a test can also export it). */
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key as a JWK, what goes into a proof's `jwk` header. */
  publicJwk: JWK;
  /** Its RFC 7638 SHA-256 thumbprint: the `cnf.jkt` of tokens bound to it. */
  jkt: string;
}

export async function generateDpopKeys(alg: DpopAlg = 'ES256'): Promise<DpopKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** `ath` (RFC 9449 §4.2): base64url of the SHA-256 of the access token's ASCII. */
export const accessTokenHash = (accessToken: string): string =>
  createHash('sha256').update(accessToken, 'ascii').digest('base64url');

export interface DpopProofOptions {
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** The request's method (`POST` for a token request). */
  htm: string;
  /** The request's URL; query and fragment are dropped, as RFC 9449 §4.2 asks. */
  htu: string;
  /** The server's `DPoP-Nonce`, once it demanded one. */
  nonce?: string | undefined;
  /** For a resource request: the token, hashed into `ath`. */
  accessToken?: string | undefined;
  /** Default `ES256`; must fit the key. */
  alg?: string;
  /** Default now (the client's clock), in seconds. */
  iat?: number;
  /** Default a random UUID. */
  jti?: string;
  /** Merged over the protected header (`typ`, `alg`, `jwk`): to build a wrong proof. */
  header?: Record<string, unknown>;
  /** Merged over the claims (`undefined` drops one): to build a wrong proof. */
  claims?: Record<string, unknown>;
}

/** A signed DPoP proof JWT for one request, the value of its `DPoP` header. */
export function createDpopProof(options: DpopProofOptions): Promise<string> {
  const url = new URL(options.htu);
  url.search = '';
  url.hash = '';
  const claims: JWTPayload = {
    jti: options.jti ?? crypto.randomUUID(),
    htm: options.htm,
    htu: url.href,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...(options.accessToken !== undefined ? { ath: accessTokenHash(options.accessToken) } : {}),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  const alg = options.alg ?? 'ES256';
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: options.publicJwk, ...options.header })
    .sign(options.privateKey);
}
