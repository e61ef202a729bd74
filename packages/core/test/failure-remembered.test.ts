/**
 * A failed token request is remembered by the provider itself (single-flight), whatever the
 * store: a store of one's own that shares no failures (no `lock`, no `setFailure`) must not
 * turn wrong credentials under load into a token request per call.
 */
import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../src/memory-store.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import type { TokenStore } from '../src/token-store.ts';
import { useFakeClock } from './helpers/fake-clock.ts';
import {
  issue,
  type Reply,
  scriptedEndpoint,
  scriptedProvider,
} from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

/** A store with only the three required methods: it shares no failure and has no lock. */
function plainStore(): TokenStore {
  const store = memoryStore();
  return {
    get: (key) => store.get(key),
    set: (key, value, ttlMs) => store.set(key, value, ttlMs),
    deleteIf: (key, accessToken) => store.deleteIf(key, accessToken),
  };
}

const invalidClient: Reply = { status: 401, body: { error: 'invalid_client' } };
const unavailable = (retryAfter: string): Reply => ({
  status: 503,
  body: { error: 'temporarily_unavailable' },
  headers: { 'retry-after': retryAfter },
});

// `settle(promise, 0)`: run what is due without moving the fake clock, so times are exact.
const now = (promise: Promise<unknown>) =>
  settle(
    promise.catch((error: unknown) => error),
    0,
  );

describe('a failure remembered by the provider itself', () => {
  useFakeClock();

  function setup(replies: Reply[], options: Partial<TokenProviderOptions> = {}) {
    const endpoint = scriptedEndpoint(() => issue());
    endpoint.queue.push(...replies);
    return scriptedProvider(endpoint, {
      store: plainStore(),
      retry: { maxAttempts: 1 },
      ...options,
    });
  }

  it('for failureCacheMs, with a store that shares no failures: the same error, no request', async () => {
    const { tokens, endpoint } = setup([invalidClient], { failureCacheMs: 1000 });
    const failure = await now(tokens.getToken());
    expect(failure).toMatchObject({ error: 'invalid_client' });
    vi.advanceTimersByTime(999);
    const calls = await Promise.all(Array.from({ length: 20 }, () => now(tokens.getToken())));
    for (const again of calls) expect(again).toBe(failure);
    expect(endpoint.requests).toHaveLength(1);
    vi.advanceTimersByTime(1); // the memory ends exactly at failureCacheMs
    expect(await now(tokens.getToken())).toMatchObject({ accessToken: expect.any(String) });
    expect(endpoint.requests).toHaveLength(2);
  });

  it("for the server's Retry-After when longer, capped at maxFailureCacheMs", async () => {
    const { tokens, endpoint } = setup([unavailable('3'), unavailable('3600')], {
      failureCacheMs: 1000,
      maxFailureCacheMs: 10_000,
    });
    await now(tokens.getToken());
    vi.advanceTimersByTime(2999);
    expect(await now(tokens.getToken())).toMatchObject({ status: 503 });
    expect(endpoint.requests).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(await now(tokens.getToken())).toMatchObject({ status: 503 }); // asked: 1 h
    expect(endpoint.requests).toHaveLength(2);
    vi.advanceTimersByTime(9999);
    await now(tokens.getToken());
    expect(endpoint.requests).toHaveLength(2);
    vi.advanceTimersByTime(1); // the cap, not the hour
    expect(await now(tokens.getToken())).toMatchObject({ accessToken: expect.any(String) });
    expect(endpoint.requests).toHaveLength(3);
  });

  it('per key: another scope still asks the token endpoint', async () => {
    const { tokens, endpoint } = setup([invalidClient]);
    await now(tokens.getToken());
    expect(await now(tokens.forScope('other').getToken())).toMatchObject({
      accessToken: expect.any(String),
    });
    expect(endpoint.requests).toHaveLength(2);
  });

  it('stops a refresh ahead from being tried again while its failure is remembered', async () => {
    // A 100 s token: skew 25 s, so refresh ahead from 37.5 s on (half of 75 s), stale at 75 s.
    const { tokens, endpoint, events } = setup([issue(100)], {
      failureCacheMs: 2000,
      refreshJitterRatio: 0,
      refreshAheadRatio: 0.5,
    });
    const down: Reply = { status: 503, body: { error: 'temporarily_unavailable' } };
    const first = await now(tokens.getToken());
    endpoint.queue.push(down, down);
    vi.advanceTimersByTime(40_000);
    expect(await now(tokens.getToken())).toBe(first); // served; one refresh starts and fails
    await drain();
    expect(endpoint.requests).toHaveLength(2);
    for (let i = 0; i < 19; i++) {
      vi.advanceTimersByTime(100);
      expect(await now(tokens.getToken())).toBe(first);
      await drain();
    }
    expect(endpoint.requests).toHaveLength(2); // for 1.9 s, the failure is remembered
    vi.advanceTimersByTime(100);
    expect(await now(tokens.getToken())).toBe(first);
    await drain();
    expect(endpoint.requests).toHaveLength(3); // remembered no longer: one more refresh
    expect(events.filter((e) => e.type === 'token_request_failed')).toEqual([]);
  });
});

/** Lets a background refresh run: in-process work only, so a few turns of the loop. */
async function drain() {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}
