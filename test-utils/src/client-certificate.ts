/**
 * A self-signed X.509 certificate and its RSA key, made with Web Crypto and a few lines of
 * DER: what a client registers for Entra ID certificate credentials. Its thumbprints name it
 * in an assertion's header (`x5t#S256`: base64url SHA-256 of the DER; `x5t`: SHA-1), and its
 * JWK (with both thumbprints and `x5c`) goes into a `ClientRecord`'s `jwks`.
 */
import { createHash } from 'node:crypto';
import { type CryptoKey, exportJWK, exportPKCS8, importPKCS8, type JWK } from 'jose';

export type CertificateAlg = 'PS256' | 'RS256';

export interface ClientCertificate {
  /** What the assertions are signed with: PS256 (Entra's "should") or RS256 (older pages). */
  alg: CertificateAlg;
  certificatePem: string;
  certificateDer: Uint8Array;
  /** Signs assertions with `alg`. */
  privateKey: CryptoKey;
  /** The key as PKCS#8 PEM, for clients that take a PEM. */
  privateKeyPem: string;
  /** base64url SHA-256 of the DER: the `x5t#S256` header. */
  x5tS256: string;
  /** base64url SHA-1 of the DER: the `x5t` header. */
  x5t: string;
  /** The public key with `x5t#S256`, `x5t` and `x5c`, as a JWK Set for `ClientRecord.jwks`. */
  jwks: { keys: JWK[] };
}

const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return new Uint8Array(Buffer.concat([Uint8Array.of(tag, ...length), body]));
};
const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
const oid = (bytes: number[]) => tlv(0x06, Uint8Array.from(bytes));
const utcTime = (date: Date) =>
  tlv(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
// 1.2.840.113549.1.1.11 sha256WithRSAEncryption, with its NULL parameters.
const SHA256_WITH_RSA = seq(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), tlv(0x05));
// CN = <name> (2.5.4.3)
const name = (cn: string) =>
  seq(tlv(0x31, seq(oid([0x55, 0x04, 0x03]), tlv(0x0c, Buffer.from(cn)))));

const b64url = (bytes: Uint8Array, hash: 'sha256' | 'sha1') =>
  createHash(hash).update(bytes).digest('base64url');

export async function generateClientCertificate(
  alg: CertificateAlg = 'PS256',
  commonName = 'm2m-auth test client',
): Promise<ClientCertificate> {
  const pair = await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive INTEGER
  const now = Date.now();
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Uint8Array.of(2))), // v3
    tlv(0x02, serial),
    SHA256_WITH_RSA,
    name(commonName),
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 365 * 24 * 3600_000))),
    name(commonName),
    spki,
  );
  const signature = new Uint8Array(
    await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, tbs),
  );
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Uint8Array.of(0), signature));
  const base64 = Buffer.from(der).toString('base64');
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
  const privateKeyPem = await exportPKCS8(pair.privateKey);
  const x5tS256 = b64url(der, 'sha256');
  const x5t = b64url(der, 'sha1');
  const publicJwk = await exportJWK(pair.publicKey);
  delete publicJwk.alg; // the same RSA key signs PS256 or RS256 assertions
  return {
    alg,
    certificatePem,
    certificateDer: der,
    privateKey: (await importPKCS8(privateKeyPem, alg, { extractable: true })) as CryptoKey,
    privateKeyPem,
    x5tS256,
    x5t,
    jwks: { keys: [{ ...publicJwk, use: 'sig', 'x5t#S256': x5tS256, x5t, x5c: [base64] }] },
  };
}
