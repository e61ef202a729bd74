/**
 * A compact JWS signed by a callback, for keys that never enter the process (a KMS, an HSM):
 * we build `base64url(header).base64url(payload)`, the callback signs those bytes, and we
 * append its signature. ECDSA signatures are taken in JWS form (`r || s`, RFC 7518 §3.4) or
 * in the DER form that AWS KMS, Google Cloud KMS and PKCS#11 modules return.
 */
import { base64url } from 'jose';
import { ConfigError } from './errors.ts';

/** Signs a JWS signing input (the ASCII bytes of `header.payload`). */
export type SignCallback = (
  signingInput: Uint8Array<ArrayBuffer>,
) => Promise<Uint8Array | ArrayBuffer>;

/** The algorithms a callback may sign with: asymmetric only, as `private_key_jwt` is. */
export const CALLBACK_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const ECDSA_BYTES: Record<string, number> = { ES256: 32, ES384: 48, ES512: 66 };

/** One DER INTEGER at `at` as `size` big-endian bytes, and where the next element starts. */
function integer(der: Uint8Array, at: number, size: number): [Uint8Array, number] {
  if (der[at] !== 0x02) throw new Error('not an INTEGER');
  const length = der[at + 1] as number;
  let value = der.subarray(at + 2, at + 2 + length);
  while (value.length > size && value[0] === 0) value = value.subarray(1);
  if (value.length > size) throw new Error('INTEGER too long');
  const out = new Uint8Array(size);
  out.set(value, size - value.length);
  return [out, at + 2 + length];
}

/** `r || s` from an ECDSA signature in either form. */
function ecdsaJws(signature: Uint8Array, size: number): Uint8Array {
  if (signature.length === 2 * size) return signature;
  try {
    if (signature[0] !== 0x30) throw new Error('not a SEQUENCE');
    const start = signature[1] === 0x81 ? 3 : 2; // long-form length for ES512
    const [r, next] = integer(signature, start, size);
    const [s] = integer(signature, next, size);
    const out = new Uint8Array(2 * size);
    out.set(r);
    out.set(s, size);
    return out;
  } catch (error) {
    throw new ConfigError(
      `The sign callback's ECDSA signature is neither r||s nor DER (${(error as Error).message})`,
    );
  }
}

export async function signByCallback(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: SignCallback,
): Promise<string> {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  const answer: unknown = await sign(new TextEncoder().encode(input));
  let signature =
    answer instanceof ArrayBuffer
      ? new Uint8Array(answer)
      : answer instanceof Uint8Array
        ? answer
        : undefined;
  if (!signature) {
    throw new ConfigError('The sign callback must resolve to a Uint8Array or an ArrayBuffer');
  }
  const size = ECDSA_BYTES[header['alg'] as string];
  if (size) signature = ecdsaJws(signature, size);
  return `${input}.${base64url.encode(signature)}`;
}
