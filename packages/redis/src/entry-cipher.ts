/**
 * How a value is sealed for Redis: `<label>.p.<json>` in the clear, or
 * `<label>.e.<key id>.<iv>.<ciphertext>`: AES-256-GCM with a random 96-bit IV per write and
 * the Redis key and the label as additional data, so a value cannot be moved to another key
 * or given another label. The label is what a Lua script may read without the key (a
 * token's hash, for compare-and-delete), or the kind of entry. Anything that does not open
 * is a miss with its reason, never an exception.
 */

import { ConfigError } from '@m2m-auth/core';
import { base64url } from 'jose';

/** 32 bytes, raw or base64 (`openssl rand -base64 32`), or a named key for rotation. */
export type EncryptionKeyInput =
  | string
  | Uint8Array
  | { id: string; key: string | Uint8Array | CryptoKey };

export type MissReason = 'unknown-key' | 'unreadable' | 'malformed';

export type Opened = { label: string; json: string } | { miss: MissReason };

export interface EntryCipher {
  seal(redisKey: string, label: string, json: string): Promise<string>;
  open(redisKey: string, value: string): Promise<Opened>;
}

const subtle = () => globalThis.crypto.subtle;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export const toBase64Url = (bytes: Uint8Array): string => base64url.encode(bytes);
/** Base64 or base64url, padded or not: a key from `openssl rand -base64 32`, or ours. */
const fromBase64 = (text: string) =>
  base64url.decode(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
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

export function createEntryCipher(
  encryptionKey: EncryptionKeyInput | undefined,
  decryptionKeys: readonly EncryptionKeyInput[] = [],
): EntryCipher {
  // Imported once, lazily (Web Crypto is async); a bad key already failed in checkKeys.
  const keys =
    encryptionKey === undefined
      ? undefined
      : Promise.all([encryptionKey, ...decryptionKeys].map(importKey));
  keys?.catch(() => undefined);

  return {
    async seal(redisKey, label, json) {
      if (!keys) return `${label}.p.${json}`;
      const [current] = (await keys) as [NamedKey];
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
      const sealed = await subtle().encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8.encode(`${redisKey}|${label}`) },
        current.key,
        utf8.encode(json),
      );
      return `${label}.e.${current.id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async open(redisKey, value) {
      const [label = '', kind, ...rest] = value.split('.');
      if (kind === 'p') {
        return keys ? { miss: 'unreadable' } : { label, json: value.slice(label.length + 3) };
      }
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
            additionalData: utf8.encode(`${redisKey}|${label}`),
          },
          key.key,
          fromBase64(ciphertext) as Uint8Array<ArrayBuffer>,
        );
        return { label, json: fromUtf8.decode(plain) };
      } catch {
        return { miss: 'unreadable' };
      }
    },
  };
}
