/**
 * The JWS headers that tie an assertion to an X.509 certificate (RFC 7515 §4.1.6-4.1.8):
 * `x5t#S256` (SHA-256 of the leaf's DER, base64url: what Entra ID's certificate credentials
 * want), `x5t` (SHA-1: Entra's older documents) and `x5c` (the chain, leaf first, each DER in
 * standard Base64: Entra's subject name/issuer authentication).
 */
import { base64url } from 'jose';
import { ConfigError } from './errors.ts';

export interface CertificateOptions {
  /** PEM: one certificate, or a chain with the leaf first. */
  certificate?: string;
  /** Also send `x5t`, the SHA-1 thumbprint. @default false */
  x5t?: boolean;
  /** Also send `x5c`, the chain. @default false */
  x5c?: boolean;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g;

/** The DER of each certificate in `pem`, checked now so a bad one fails at construction. */
function derChain(pem: string, name: string): Uint8Array[] {
  const blocks = [...pem.matchAll(PEM_BLOCK)].map((match) => (match[1] ?? '').replace(/\s+/g, ''));
  if (blocks.length === 0) {
    throw new ConfigError(`${name}.certificate must be a PEM certificate (BEGIN CERTIFICATE)`);
  }
  try {
    return blocks.map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    throw new ConfigError(`${name}.certificate holds a block that is not Base64`);
  }
}

const digest = async (algorithm: string, der: Uint8Array) =>
  base64url.encode(new Uint8Array(await crypto.subtle.digest(algorithm, der as BufferSource)));

/** A function giving the headers (computed once), or `undefined` without a certificate. */
export function certificateHeaders(
  options: CertificateOptions,
  name: string,
): (() => Promise<Record<string, unknown>>) | undefined {
  if (options.certificate === undefined) {
    if (options.x5t || options.x5c) throw new ConfigError(`${name}.x5t and x5c need certificate`);
    return undefined;
  }
  const chain = derChain(options.certificate, name);
  const leaf = chain[0] as Uint8Array;
  let headers: Promise<Record<string, unknown>> | undefined;
  return () => {
    headers ??= (async () => ({
      'x5t#S256': await digest('SHA-256', leaf),
      ...(options.x5t ? { x5t: await digest('SHA-1', leaf) } : {}),
      ...(options.x5c ? { x5c: chain.map((der) => btoa(String.fromCharCode(...der))) } : {}),
    }))();
    return headers;
  };
}
