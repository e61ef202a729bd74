/**
 * How a `StoredToken` is written to Redis: sealed (entry-cipher.ts) under the SHA-256 of its
 * access token (base64url), which lets a Lua script compare-and-delete without reading the
 * token. Anything that does not decode to a well-formed entry is a cache miss, never an
 * exception. The times inside are the writer's; readers rebase them (reader-time.ts). The
 * token's `extras` are read back through core's own bounds (`reviveExtras`): an entry whose
 * extras are not an object is malformed, members core would not keep are left out.
 */

import { reviveExtras, type StoredToken } from '@m2m-auth/core';
import {
  createEntryCipher,
  type EncryptionKeyInput,
  type MissReason,
  sha256,
  toBase64Url,
} from './entry-cipher.ts';

export type DecodeResult = { entry: StoredToken } | { miss: MissReason };

export interface EntryCodec {
  encode(redisKey: string, entry: StoredToken): Promise<string>;
  decode(redisKey: string, value: string): Promise<DecodeResult>;
  /** The hash the entry for `accessToken` starts with. */
  tokenHash(accessToken: string): Promise<string>;
}

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

function wellFormed(value: unknown): value is StoredToken {
  const entry = value as StoredToken | null;
  const token = entry?.token;
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
    finite(entry?.staleAt) &&
    // In this order, as core computes them: readers keep the gaps between them.
    entry.obtainedAt <= entry.refreshAt &&
    entry.refreshAt <= entry.staleAt &&
    entry.staleAt <= token.expiresAt
  );
}

function parse(json: string): DecodeResult {
  try {
    const value: unknown = JSON.parse(json);
    if (!wellFormed(value)) return { miss: 'malformed' };
    const { token, obtainedAt, refreshAt, staleAt } = value;
    const extras = token.extras === undefined ? {} : reviveExtras(token.extras);
    if (extras === undefined) return { miss: 'malformed' };
    return {
      entry: {
        token: Object.freeze({
          accessToken: token.accessToken,
          tokenType: token.tokenType, // a DPoP-bound token stays one (its key is in the cache key)
          expiresAt: token.expiresAt,
          ...(token.scope === undefined ? {} : { scope: token.scope }),
          ...(Object.keys(extras).length === 0 ? {} : { extras }),
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
  const cipher = createEntryCipher(encryptionKey, decryptionKeys);
  const tokenHash = async (accessToken: string) => toBase64Url(await sha256(accessToken));
  return {
    tokenHash,
    async encode(redisKey, entry) {
      return cipher.seal(redisKey, await tokenHash(entry.token.accessToken), JSON.stringify(entry));
    },
    async decode(redisKey, value) {
      const opened = await cipher.open(redisKey, value);
      return 'miss' in opened ? opened : parse(opened.json);
    },
  };
}
