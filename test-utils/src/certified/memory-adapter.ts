/**
 * An oidc-provider storage adapter kept in this server's own memory (the bundled one is shared
 * by every provider in the process and warns on start), which can also list what it holds:
 * `revokeAll()` finds the stored access tokens here and revokes each at the real endpoint.
 */
import type { AdapterPayload, OidcAdapter } from './oidc-provider-types.ts';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

export interface AdapterStorage {
  /** The adapter class oidc-provider's `adapter` option takes (one instance per model name). */
  readonly Adapter: new (
    model: string,
  ) => OidcAdapter;
  /** The ids of the unexpired entries of one model (`ClientCredentials`: the opaque tokens). */
  ids(model: string): string[];
}

export function createAdapterStorage(): AdapterStorage {
  const entries = new Map<string, Entry>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(key);
    return entries.get(key);
  };

  class Adapter implements OidcAdapter {
    readonly #model: string;
    constructor(model: string) {
      this.#model = model;
    }
    #key(id: string) {
      return `${this.#model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      entries.set(this.#key(id), { payload, expiresAt });
    }
    async find(id: string) {
      return live(this.#key(id))?.payload;
    }
    async findByUid(uid: string) {
      return this.#findBy((payload) => payload['uid'] === uid);
    }
    async findByUserCode(userCode: string) {
      return this.#findBy((payload) => payload['userCode'] === userCode);
    }
    async consume(id: string) {
      const entry = live(this.#key(id));
      if (entry) entry.payload['consumed'] = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      entries.delete(this.#key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of entries)
        if (entry.payload['grantId'] === grantId) entries.delete(key);
    }
    #findBy(match: (payload: AdapterPayload) => boolean) {
      for (const [key, entry] of entries) {
        if (key.startsWith(`${this.#model}:`) && live(key) && match(entry.payload)) {
          return entry.payload;
        }
      }
      return undefined;
    }
  }

  return {
    Adapter,
    ids: (model) =>
      [...entries.keys()]
        .filter((key) => key.startsWith(`${model}:`) && live(key))
        .map((key) => key.slice(model.length + 1)),
  };
}
