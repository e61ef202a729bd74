/**
 * How a `StoredToken` is written to Redis: `<token hash>.<body>`. The hash (SHA-256 of the
 * access token, base64url) lets a Lua script compare-and-delete without reading the token;
 * the body is `p.<json>` in the clear, or `e.<key id>.<iv>.<ciphertext>`: AES-256-GCM with a
 * random 96-bit IV per write and the Redis key and token hash as additional data, so an
 * entry cannot be moved to another key or paired with another hash. Anything that does not
 * decode to a well-formed entry is a cache miss, never an exception.
 */

import { ConfigError, type StoredToken } from '@m2m-auth/core';
import { base64url } from 'jose';

/** 32 bytes, raw or base64 (`openssl rand -base64 32`), or a named key for rotation. */
export type EncryptionKeyInput =
  | string
  | Uint8Array
  | { id: string; key: string | Uint8Array | CryptoKey };

export type DecodeResult =
  | { entry: StoredToken }
  | { miss: 'unknown-key' | 'unreadable' | 'malformed' };

export interface EntryCodec {
  encode(redisKey: string, entry: StoredToken): Promise<string>;
  decode(redisKey: string, value: string): Promise<DecodeResult>;
  /** The hash the entry for `accessToken` starts with. */
  tokenHash(accessToken: string): Promise<string>;
}

const subtle = () => globalThis.crypto.subtle;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

const toBase64Url = (bytes: Uint8Array) => base64url.encode(bytes);
/** Base64 or base64url, padded or not: a key from `openssl rand -base64 32`, or ours. */
const fromBase64 = (text: string) =>
  base64url.decode(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));

async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  return new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

interface NamedKey {
  id: string;
  key: CryptoKey;
}

/** The id given, if any, and the key material. */
function parts(input: EncryptionKeyInput): {
  id?: string;
  material: string | Uint8Array | CryptoKey;
} {
  return typeof input === 'object' && !(input instanceof Uint8Array)
    ? { id: input.id, material: input.key }
    : { material: input };
}

const isCryptoKey = (value: unknown): value is CryptoKey =>
  typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;

/** Checks a key synchronously, so a wrong key fails at construction, not on first use. */
function checkKeyInput(input: EncryptionKeyInput, name: string): void {
  const { id, material } = parts(input);
  if (id !== undefined && !/^[\w-]{1,64}$/.test(id)) {
    throw new ConfigError(`${name}.id must be 1 to 64 of [A-Za-z0-9_-]`);
  }
  if (isCryptoKey(material)) {
    const { name: algorithm, length } = material.algorithm as AesKeyAlgorithm;
    const usable = material.usages.includes('encrypt') && material.usages.includes('decrypt');
    if (algorithm !== 'AES-GCM' || length !== 256 || !usable) {
      throw new ConfigError(`${name} must be an AES-GCM 256-bit CryptoKey for encrypt and decrypt`);
    }
    return;
  }
  let length: number;
  try {
    length = typeof material === 'string' ? fromBase64(material).length : material.length;
  } catch {
    throw new ConfigError(`${name} must be 32 bytes, raw or base64`);
  }
  if (length !== 32) throw new ConfigError(`${name} must be 32 bytes (AES-256), got ${length}`);
}

/** Every key usable, and no id named twice (the first of two would silently win). */
export function checkKeys(
  encryptionKey: EncryptionKeyInput | undefined,
  decryptionKeys: readonly EncryptionKeyInput[],
): void {
  if (encryptionKey === undefined) {
    if (decryptionKeys.length > 0) throw new ConfigError('decryptionKeys need an encryptionKey');
    return;
  }
  checkKeyInput(encryptionKey, 'encryptionKey');
  for (const key of decryptionKeys) checkKeyInput(key, 'decryptionKeys[]');
  const ids = [encryptionKey, ...decryptionKeys].flatMap((key) => parts(key).id ?? []);
  if (new Set(ids).size !== ids.length) throw new ConfigError('encryption key ids must be unique');
}

/** Imports a checked key. Unnamed keys are named by a fingerprint, so a new key never
 * tries to decrypt what an old one sealed. */
async function importKey(input: EncryptionKeyInput): Promise<NamedKey> {
  const { id, material } = parts(input);
  if (isCryptoKey(material)) return { id: id as string, key: material };
  const raw = typeof material === 'string' ? fromBase64(material) : material;
  const key = await subtle().importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  return { id: id ?? toBase64Url((await sha256(raw)).subarray(0, 6)), key };
}

function wellFormed(value: unknown): value is StoredToken {
  const entry = value as StoredToken | null;
  const token = entry?.token;
  const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  return (
    typeof token === 'object' &&
    token !== null &&
    typeof token.accessToken === 'string' &&
    token.accessToken.length > 0 &&
    (token.tokenType === 'Bearer' || token.tokenType === 'DPoP') &&
    finite(token.expiresAt) &&
    (token.scope === undefined || typeof token.scope === 'string') &&
    finite(entry?.obtainedAt) &&
    finite(entry?.refreshAt) &&
    finite(entry?.staleAt)
  );
}

function parse(json: string): DecodeResult {
  try {
    const value: unknown = JSON.parse(json);
    if (!wellFormed(value)) return { miss: 'malformed' };
    const { token, obtainedAt, refreshAt, staleAt } = value;
    return {
      entry: {
        token: Object.freeze({
          accessToken: token.accessToken,
          tokenType: token.tokenType, // a DPoP-bound token stays one (its key is in the cache key)
          expiresAt: token.expiresAt,
          ...(token.scope === undefined ? {} : { scope: token.scope }),
        }),
        obtainedAt,
        refreshAt,
        staleAt,
      },
    };
  } catch {
    return { miss: 'malformed' };
  }
}

export function createEntryCodec(
  encryptionKey: EncryptionKeyInput | undefined,
  decryptionKeys: readonly EncryptionKeyInput[] = [],
): EntryCodec {
  // Imported once, lazily (Web Crypto is async); a bad key still fails at construction below.
  const keys =
    encryptionKey === undefined
      ? undefined
      : Promise.all([encryptionKey, ...decryptionKeys].map(importKey));
  keys?.catch(() => undefined);

  const tokenHash = async (accessToken: string) => toBase64Url(await sha256(accessToken));

  return {
    tokenHash,
    async encode(redisKey, entry) {
      const hash = await tokenHash(entry.token.accessToken);
      const json = JSON.stringify(entry);
      if (!keys) return `${hash}.p.${json}`;
      const [current] = (await keys) as [NamedKey];
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
      const sealed = await subtle().encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8.encode(`${redisKey}|${hash}`) },
        current.key,
        utf8.encode(json),
      );
      return `${hash}.e.${current.id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async decode(redisKey, value) {
      const [hash = '', kind, ...rest] = value.split('.');
      if (kind === 'p') return keys ? { miss: 'unreadable' } : parse(value.slice(hash.length + 3));
      if (kind !== 'e' || rest.length !== 3) return { miss: 'malformed' };
      if (!keys) return { miss: 'unreadable' };
      const [id, iv, ciphertext] = rest as [string, string, string];
      const key = (await keys).find((k) => k.id === id);
      if (!key) return { miss: 'unknown-key' };
      try {
        const plain = await subtle().decrypt(
          {
            name: 'AES-GCM',
            iv: fromBase64(iv) as Uint8Array<ArrayBuffer>,
            additionalData: utf8.encode(`${redisKey}|${hash}`),
          },
          key.key,
          fromBase64(ciphertext) as Uint8Array<ArrayBuffer>,
        );
        return parse(fromUtf8.decode(plain));
      } catch {
        return { miss: 'unreadable' };
      }
    },
  };
}
