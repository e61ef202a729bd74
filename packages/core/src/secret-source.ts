/**
 * The client secret, given as a string or as a function (sync or async) that a secret
 * manager backs. A function is read once, before the first token request, and again when
 * the server says `invalid_client`: a rotated secret is picked up without a restart. Every
 * value read is taught to the redactor, so old and new secrets stay out of errors.
 */
import { ConfigError } from './errors.ts';

export type SecretInput = string | (() => string | Promise<string>);

export interface SecretSource {
  /** The secret as last read (after `load()`); `undefined` when the client has none. */
  current(): string | undefined;
  /** Reads the secret if it has not been read yet. */
  load(): Promise<string | undefined>;
  /** Reads it again (a function only); true when it changed. */
  reread(): Promise<boolean>;
  /** Bumped on every change: what cache keys built from the secret depend on. */
  readonly version: number;
  /** True for a function: re-reading it may give a new secret. */
  readonly rotates: boolean;
}

function checked(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError('clientSecret must be, or return, a non-empty string');
  }
  return value;
}

export function secretSource(
  input: SecretInput | undefined,
  onValue: (secret: string) => void,
): SecretSource {
  let value: string | undefined;
  let version = 0;
  const read = async () => {
    const next = checked(await (input as () => string | Promise<string>)());
    onValue(next);
    const changed = next !== value;
    if (changed) {
      value = next;
      version++;
    }
    return changed;
  };
  if (typeof input !== 'function') {
    if (input !== undefined) onValue(checked(input));
    return {
      current: () => input,
      load: async () => input,
      reread: async () => false,
      version: 0,
      rotates: false,
    };
  }
  let first: Promise<boolean> | undefined;
  let rereading: Promise<boolean> | undefined;
  return {
    current: () => value,
    async load() {
      first ??= read().catch((error) => {
        first = undefined; // a failed read is tried again on the next request
        throw error;
      });
      await first;
      return value;
    },
    // Concurrent flights refused at once share one read of the secret manager.
    reread() {
      rereading ??= read().finally(() => {
        rereading = undefined;
      });
      return rereading;
    },
    rotates: true,
    get version() {
      return version;
    },
  };
}
