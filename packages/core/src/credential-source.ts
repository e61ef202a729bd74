/**
 * Credentials that are not a stored secret: a value, a function (sync or async: a secret
 * manager, a platform SDK) or a source object such as `fromFile()` from
 * `@m2m-auth/core/files`. One shape for the client secret, an assertion issued elsewhere
 * (workload identity) and a grant's tokens; `secret-source.ts` decides when each is read.
 */
import { decodeJwt } from 'jose';

export interface CredentialSource {
  /**
   * What names this credential in cache keys: a file path, a name you choose. Give the same
   * id on every process of a fleet sharing a store and they share tokens. Without one, the
   * object itself is the identity, for this process only. Never the credential itself.
   */
  readonly id?: string;
  /** The credential, read anew. */
  read(): string | Promise<string>;
  /**
   * Whether the credential may have changed since the last `read()` (a file's inode, size or
   * modification time), asked before each token request. Without it, a value is kept until
   * it is refused or, for a JWT, until its `exp` is near.
   */
  changed?(): boolean | Promise<boolean>;
}

export type CredentialInput = string | (() => string | Promise<string>) | CredentialSource;

/** A JWT credential is read again when it expires within this long (or has expired). */
export const REREAD_BEFORE_EXP_MS = 60_000;

export function isCredentialInput(value: unknown): value is CredentialInput {
  return (
    typeof value === 'string' ||
    typeof value === 'function' ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as CredentialSource).read === 'function')
  );
}

const objectIds = new WeakMap<object, string>();
/** An id that lives as long as the object: for what cannot be named (a function, a CryptoKey). */
export function objectIdentity(object: object): string {
  let id = objectIds.get(object);
  if (!id) {
    id = crypto.randomUUID();
    objectIds.set(object, id);
  }
  return id;
}

/**
 * The credential's part of a cache key (hashed with the rest, never kept in clear): a fixed
 * value is its own identity; a function or an unnamed source is known by its object; a
 * named source (a file) by its id, so a rotated credential keeps the key and its tokens.
 */
export function credentialIdentity(input: CredentialInput): string {
  if (typeof input === 'string') return `value:${input}`;
  if (typeof input === 'function') return `fn:${objectIdentity(input)}`;
  return input.id !== undefined ? `id:${input.id}` : `source:${objectIdentity(input)}`;
}

/** True when `value` is a JWT whose `exp` is within `REREAD_BEFORE_EXP_MS` of `now` (ms). */
export function expiresSoon(value: string | undefined, now: number): boolean {
  if (value === undefined || value.split('.').length !== 3) return false;
  try {
    const { exp } = decodeJwt(value);
    return typeof exp === 'number' && exp * 1000 - now < REREAD_BEFORE_EXP_MS;
  } catch {
    return false;
  }
}
