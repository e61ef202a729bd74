/**
 * What the provider asks of a store of one's own (the `TokenStore` interface): promises or
 * plain values, a TTL that follows the token, a lock always released, and a store that
 * throws turned into a rejection, never a synchronous throw.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/memory-store.ts';
import type { TokenStore } from '../src/token-store.ts';
import { useFakeClock } from './helpers/fake-clock.ts';
import { issue, scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

/** The memory store behind promises, as a network store answers; records each `set` TTL. */
function asyncStore() {
  const inner = memoryStore();
  const ttls: number[] = [];
  const locks = { taken: 0, released: 0 };
  const store: TokenStore = {
    get: async (key) => inner.get(key),
    set: async (key, value, ttlMs) => {
      ttls.push(ttlMs);
      inner.set(key, value, ttlMs);
    },
    deleteIf: async (key, accessToken) => inner.deleteIf(key, accessToken),
    lock: async (key, ttlMs) => {
      const lock = inner.lock(key, ttlMs);
      if (!lock) return undefined;
      locks.taken++;
      return {
        release: async () => {
          locks.released++;
          lock.release();
        },
      };
    },
    getFailure: async (key) => inner.getFailure(key),
    setFailure: async (key, failure, ttlMs) => inner.setFailure(key, failure, ttlMs),
  };
  return { store, ttls, locks };
}

describe('a store of your own', () => {
  useFakeClock();

  it('may answer with promises: the token is cached, served and invalidated through it', async () => {
    const { store, locks } = asyncStore();
    const endpoint = scriptedEndpoint();
    const { tokens, events } = scriptedProvider(endpoint, { store });
    const first = await settle(tokens.getToken(), 0);
    expect(await settle(tokens.getToken(), 0)).toEqual(first);
    expect(endpoint.requests).toHaveLength(1);
    expect(locks).toEqual({ taken: 1, released: 1 });
    expect(await settle(tokens.invalidate(first.accessToken), 0)).toBe(true);
    expect(await settle(tokens.invalidate(first.accessToken), 0)).toBe(false);
    expect(events.filter((e) => e.type === 'token_invalidated')).toHaveLength(1);
    const second = await settle(tokens.getToken(), 0);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(endpoint.requests).toHaveLength(2);
  });

  it("keeps a token in the store until its stale point, measured from the request's start", async () => {
    const { store, ttls } = asyncStore();
    const endpoint = scriptedEndpoint(() => ({ ...issue(3600), delayMs: 2000 }));
    const { tokens } = scriptedProvider(endpoint, { store });
    await settle(tokens.getToken());
    // 3600 s less the 60 s skew, less the 2 s the answer took.
    expect(ttls).toHaveLength(1);
    expect(ttls[0]).toBeGreaterThan(3_537_900);
    expect(ttls[0]).toBeLessThanOrEqual(3_538_000);
  });

  it('releases the lock after a failed request, so the next provider need not wait for it', async () => {
    const shared = asyncStore();
    const endpoint = scriptedEndpoint();
    endpoint.queue.push({ status: 400, body: { error: 'invalid_scope' } });
    const options = { store: shared.store, failureCacheMs: 0, lockWaitMs: 60_000 };
    const first = scriptedProvider(endpoint, options).tokens;
    const second = scriptedProvider(endpoint, options).tokens;
    await expect(settle(first.getToken(), 0)).rejects.toMatchObject({ error: 'invalid_scope' });
    expect(shared.locks).toEqual({ taken: 1, released: 1 });
    const started = Date.now();
    await settle(second.getToken(), 0);
    expect(Date.now()).toBe(started); // no wait on a lock nobody holds
    expect(endpoint.requests).toHaveLength(2);
  });

  it('turns a store that throws into a rejected getToken, never a synchronous throw', async () => {
    const broken: TokenStore = {
      get: () => {
        throw new Error('store is broken');
      },
      set: () => undefined,
      deleteIf: () => false,
    };
    const { tokens } = scriptedProvider(scriptedEndpoint(), { store: broken });
    await settle(tokens.getToken(), 0).catch(() => undefined); // the key is computed
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = tokens.getToken();
    }).not.toThrow();
    await expect(pending).rejects.toThrow('store is broken');
  });
});
