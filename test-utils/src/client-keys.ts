/**
 * Key pairs for `private_key_jwt` clients: the public half goes into a `ClientRecord`'s
 * `jwks`, the private half into the client under test.
 */
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';

export type ClientKeyAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export interface ClientKeys {
  alg: ClientKeyAlg;
  kid: string;
  /** Signs assertions (extractable, so it can also be exported). */
  privateKey: CryptoKey;
  /** The private key as a JWK, with `kid` and `alg`. */
  privateJwk: JWK;
  /** The public key as a JWK Set, for `ClientRecord.jwks`. */
  jwks: { keys: JWK[] };
}

export async function generateClientKeys(
  alg: ClientKeyAlg = 'ES256',
  kid = `client-key-${crypto.randomUUID()}`,
): Promise<ClientKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const tag = { kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateKey,
    privateJwk: { ...(await exportJWK(privateKey)), ...tag },
    jwks: { keys: [{ ...(await exportJWK(publicKey)), ...tag }] },
  };
}
