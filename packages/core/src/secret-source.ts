/**
 * When a credential is read: the client secret, an assertion issued elsewhere, a grant's
 * subject and actor tokens (credential-source.ts names the shapes). A fixed value is never
 * read again. A function or source is read before the first token request; before each
 * later one again when the source says it changed (a file's stat) or a JWT in it expires
 * within a minute; and once more when the server refuses it: a rotated credential is picked
 * up without a restart. Every value read is handed to `onValue` for the redactor.
 */
import { type CredentialInput, type CredentialSource, expiresSoon } from './credential-source.ts';
import { ConfigError } from './errors.ts';

/** The client secret: a string, a function returning it, or a source (`fromFile`). */
export type SecretInput = CredentialInput;

export interface SecretSource {
  /** The value as last read (after `load()`); `undefined` when the client has none. */
  current(): string | undefined;
  /**
   * Reads the value if it has not been read yet, or if it may be out of date (the source
   * changed, or its JWT `exp` is near `now`, ms in the server's time).
   */
  load(now?: number): Promise<string | undefined>;
  /** Reads it again (a function or source only); true when it changed. */
  reread(): Promise<boolean>;
  /** Bumped on every change: what cache keys built from the secret depend on. */
  readonly version: number;
  /** True for a function or source: re-reading it may give a new value. */
  readonly rotates: boolean;
}

function checked(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${name} must be, or return, a non-empty string`);
  }
  return value;
}

export function secretSource(
  input: CredentialInput | undefined,
  onValue: (value: string) => void,
  name = 'clientSecret',
): SecretSource {
  if (input === undefined || typeof input === 'string') {
    if (input !== undefined) onValue(checked(input, name));
    return {
      current: () => input,
      load: async () => input,
      reread: async () => false,
      version: 0,
      rotates: false,
    };
  }
  const source: CredentialSource = typeof input === 'function' ? { read: input } : input;
  let value: string | undefined;
  let version = 0;
  const read = async () => {
    const next = checked(await source.read(), name);
    onValue(next);
    const changed = next !== value;
    if (changed) {
      value = next;
      version++;
    }
    return changed;
  };
  // Each shared by the flights that need it at the same time: one read, one stat.
  let first: Promise<boolean> | undefined;
  let checking: Promise<void> | undefined;
  let rereading: Promise<boolean> | undefined;
  const outdated = async (now: number) =>
    expiresSoon(value, now) || (source.changed !== undefined && (await source.changed()));
  return {
    current: () => value,
    async load(now = Date.now()) {
      if (value === undefined) {
        first ??= read().catch((error) => {
          first = undefined; // a failed read is tried again on the next request
          throw error;
        });
        await first;
        return value;
      }
      checking ??= outdated(now)
        .then(async (stale) => {
          if (stale) await read();
        })
        .finally(() => {
          checking = undefined;
        });
      await checking;
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
