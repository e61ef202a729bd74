/**
 * `fromFile(path)`: a credential kept in a file that something else rotates: a Kubernetes
 * projected service-account token, Entra workload identity's `AZURE_FEDERATED_TOKEN_FILE`,
 * a GitHub Actions OIDC token written to disk, a mounted client secret. Node's `fs`, hence
 * its own entry point: the root of `@m2m-auth/core` stays web-standard.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CredentialSource } from '../credential-source.ts';
import { ConfigError } from '../errors.ts';

export interface FromFileOptions {
  /**
   * The credential's name in cache keys. @default `file:` and the absolute path, so the
   * processes of a fleet that mount it at the same path share tokens
   */
  id?: string;
}

/** The file as `stat` sees it; kubelet's atomic writer swaps a symlink, so the inode changes. */
async function signature(path: string): Promise<string> {
  const s = await stat(path, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/**
 * A source that reads `path` (UTF-8, surrounding whitespace trimmed: a trailing newline is
 * not part of a token) and says it changed when the file's inode, size or times did: one
 * `stat` per token request, never per API call. A missing or unreadable file fails the
 * token request with Node's own error (`ENOENT`, `EACCES`), which names the path only.
 */
export function fromFile(path: string, options: FromFileOptions = {}): CredentialSource {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConfigError('fromFile needs a file path');
  }
  const absolute = resolve(path);
  let seen: string | undefined;
  return {
    id: options.id ?? `file:${absolute}`,
    async read() {
      // Stat first: a write between the two makes the next `changed()` true, never false.
      const before = await signature(absolute);
      const text = (await readFile(absolute, 'utf8')).trim();
      seen = before;
      return text;
    },
    async changed() {
      return seen === undefined || (await signature(absolute)) !== seen;
    },
  };
}
