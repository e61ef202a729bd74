/**
 * DPoP (RFC 9449): sender-constrained tokens. One key pair per provider (generated on first
 * use, private key not extractable) or the one given; a proof JWT per HTTP request (`htm`,
 * `htu`, `iat`, `jti`, and `ath` with an access token); the servers' nonces remembered per
 * origin. jose signs.
 */
import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';

export type DpopAlg = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export interface DpopOptions {
  /** A key pair to use (e.g. shared by a fleet with a Redis store). @default generated */
  keyPair?: CryptoKeyPair;
  /** @default 'ES256' */
  alg?: DpopAlg;
}

export interface DpopProver {
  /** RFC 7638 thumbprint of the public key: the token's `cnf.jkt`, part of the cache key. */
  thumbprint(): Promise<string>;
  /**
   * A proof for one request; `accessToken` adds its `ath`. Uses the origin's nonce, if known,
   * and says which (a challenge is judged against the nonce the proof carried). `now` (ms) is
   * the server's time where we know it (the token endpoint's clock). @default Date.now()
   */
  proof(
    method: string,
    url: string | URL,
    accessToken?: string,
    now?: number,
  ): Promise<{ proof: string; nonce: string | undefined }>;
  /** Takes a `DPoP-Nonce` header; true when it is new for that origin. */
  rememberNonce(url: string | URL, nonce: string | null | undefined): boolean;
}

const MAX_ORIGINS = 100;

/** `htu`: the URL without query and fragment (RFC 9449 §4.2). */
function htu(url: string | URL): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

export function createDpopProver(options: true | DpopOptions, now: () => number): DpopProver {
  const settings = options === true ? {} : options;
  const alg = settings.alg ?? 'ES256';
  let keys: Promise<{ privateKey: CryptoKey; jwk: JWK; thumbprint: string }> | undefined;
  const load = () => {
    keys ??= (async () => {
      const pair = settings.keyPair ?? (await generateKeyPair(alg));
      const { kty, crv, x, y, n, e } = await exportJWK(pair.publicKey);
      const jwk = Object.fromEntries(
        Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
      ) as JWK;
      return { privateKey: pair.privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk) };
    })();
    return keys;
  };
  const nonces = new Map<string, string>();
  // The last token's `ath`: every request with the same token shares it.
  let lastAth: { token: string; ath: Promise<string> } | undefined;
  const ath = (token: string) => {
    if (lastAth?.token !== token) {
      const digest = crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
      lastAth = { token, ath: digest.then((bytes) => base64url.encode(new Uint8Array(bytes))) };
    }
    return lastAth.ath;
  };

  return {
    thumbprint: async () => (await load()).thumbprint,
    async proof(method, url, accessToken, at = now()) {
      const { privateKey, jwk } = await load();
      const origin = new URL(url).origin;
      const nonce = nonces.get(origin);
      const proof = await new SignJWT({
        htm: method.toUpperCase(), // what fetch and the clients send for the standard methods
        htu: htu(url),
        ...(nonce ? { nonce } : {}),
        ...(accessToken ? { ath: await ath(accessToken) } : {}),
      })
        .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk })
        .setIssuedAt(Math.floor(at / 1000))
        .setJti(crypto.randomUUID())
        .sign(privateKey);
      return { proof, nonce };
    },
    rememberNonce(url, nonce) {
      if (!nonce) return false;
      const origin = new URL(url).origin;
      if (nonces.get(origin) === nonce) return false;
      if (!nonces.has(origin) && nonces.size >= MAX_ORIGINS) {
        nonces.delete(nonces.keys().next().value as string);
      }
      nonces.set(origin, nonce);
      return true;
    },
  };
}
