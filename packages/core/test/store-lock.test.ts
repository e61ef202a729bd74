/**
 * Single-flight across providers and processes, through a store's lock: what a waiter takes
 * from the store, how often it looks, when it fetches by itself, and how long it heeds a
 * failure the store shows.
 */
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../src/errors.ts';
import { memoryStore } from '../src/memory-store.ts';
import type { SharedFailure } from '../src/shared-failure.ts';
import { failureGate } from '../src/store-lock.ts';
import type { StoredToken, TokenStore } from '../src/token-store.ts';
import { useFakeClock } from './helpers/fake-clock.ts';
import { scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';

/** Turns the event loop (the fake clock untouched) until `done()`: Web Crypto runs outside it. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; !done() && turn < 10_000; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(done()).toBe(true);
}

function entry(accessToken: string, staleInMs: number): StoredToken {
  const now = Date.now();
  return {
    token: { accessToken, tokenType: 'Bearer', expiresAt: now + staleInMs + 1000 },
    obtainedAt: now,
    refreshAt: now + staleInMs / 2,
    staleAt: now + staleInMs,
  };
}

/** A store whose lock another process holds for ever; `written` is what it holds. */
function lockedStore() {
  const state = { written: undefined as StoredToken | undefined, locks: 0, reads: 0 };
  const store: TokenStore = {
    get: () => {
      state.reads++;
      return state.written;
    },
    set: (_key, value) => {
      state.written = value;
    },
    deleteIf: () => false,
    lock: () => {
      state.locks++;
      return undefined;
    },
  };
  return { store, state };
}

describe('waiting on another holder of the lock', () => {
  useFakeClock();

  it('takes the token the holder writes: looks again after 10 ms, then 20 ms, no token request', async () => {
    const { store, state } = lockedStore();
    const endpoint = scriptedEndpoint();
    const { tokens } = scriptedProvider(endpoint, { store, lockWaitMs: 10_000 });
    const waiting = tokens.getToken();
    await until(() => state.locks === 1);
    await vi.advanceTimersByTimeAsync(15); // the second look (at 10 ms) found nothing
    expect(state.locks).toBe(2);
    state.written = entry('written-by-the-holder', 60_000);
    await vi.advanceTimersByTimeAsync(15); // the third look, at 30 ms
    await expect(waiting).resolves.toMatchObject({ accessToken: 'written-by-the-holder' });
    expect(endpoint.requests).toHaveLength(0);
  });

  it('polls with backoff, then fetches by itself once lockWaitMs is over, not before', async () => {
    const { store, state } = lockedStore();
    const endpoint = scriptedEndpoint();
    const { tokens } = scriptedProvider(endpoint, { store, lockWaitMs: 2000 });
    const waiting = tokens.getToken();
    await until(() => state.locks === 1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(endpoint.requests).toHaveLength(0);
    // Quick at first, then no more often than every 250 ms: 10 looks in 2 s, not 200.
    expect(state.locks).toBeGreaterThanOrEqual(8);
    expect(state.locks).toBeLessThanOrEqual(13);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => endpoint.requests.length === 1);
    await expect(waiting).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('does not take a token past its stale point from the store', async () => {
    const { store, state } = lockedStore();
    const endpoint = scriptedEndpoint();
    const { tokens } = scriptedProvider(endpoint, { store, lockWaitMs: 500 });
    const waiting = tokens.getToken();
    await until(() => state.locks === 1);
    state.written = entry('already-stale', 10); // stale at the moment of the next look
    await vi.advanceTimersByTimeAsync(500);
    await until(() => endpoint.requests.length === 1);
    expect((await waiting).accessToken).not.toBe('already-stale');
  });

  it('does not take back the token a refresh ahead replaces; takes the new one', async () => {
    const inner = memoryStore();
    const state = { holderBusy: false, locks: 0 };
    // Another process holds the lock while this one refreshes ahead.
    const store: TokenStore = {
      get: (key) => inner.get(key),
      set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
      deleteIf: (key, token) => inner.deleteIf(key, token),
      lock: (key, ttlMs) => {
        state.locks++;
        return state.holderBusy ? undefined : inner.lock(key, ttlMs);
      },
    };
    const endpoint = scriptedEndpoint();
    const { tokens, events } = scriptedProvider(endpoint, {
      store,
      refreshJitterRatio: 0,
      lockWaitMs: 60_000,
    });
    const first = await tokens.getToken();
    const key = events.find((e) => e.type === 'token_fetched')?.key as string;
    state.holderBusy = true;
    await vi.advanceTimersByTimeAsync(3_000_000); // into the refresh-ahead window of 1 h
    const locksBefore = state.locks;
    expect(await tokens.getToken()).toBe(first); // served; the refresh waits on the holder
    await until(() => state.locks > locksBefore);
    await vi.advanceTimersByTimeAsync(1000);
    expect(endpoint.requests).toHaveLength(1);
    // Still waiting: the callers meanwhile join that refresh rather than start their own.
    const looks = state.locks;
    for (let i = 0; i < 5; i++) {
      expect(await tokens.getToken()).toBe(first);
      for (let turn = 0; turn < 20; turn++) await new Promise((r) => setImmediate(r));
    }
    expect(state.locks).toBe(looks);
    inner.set(key, entry('the-holders-new-token', 600_000), 600_000);
    await vi.advanceTimersByTimeAsync(250);
    await until(() => inner.get(key)?.token.accessToken === 'the-holders-new-token');
    expect(endpoint.requests).toHaveLength(1); // taken from the store, not fetched
    expect((await tokens.getToken()).accessToken).toBe('the-holders-new-token');
  });

  it('as the new holder, takes a token written just before it got the lock', async () => {
    const inner = memoryStore();
    let reads = 0;
    const written = entry('written-just-now', 60_000);
    const store: TokenStore = {
      ...inner,
      // The first read misses; by the holder's own read, another process has written.
      get: () => (++reads === 1 ? undefined : written),
      lock: (key, ttlMs) => inner.lock(key, ttlMs),
      getFailure: (key) => inner.getFailure(key),
      setFailure: (key, failure, ttlMs) => inner.setFailure(key, failure, ttlMs),
    };
    const endpoint = scriptedEndpoint();
    const { tokens } = scriptedProvider(endpoint, { store });
    await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: 'written-just-now' });
    expect(endpoint.requests).toHaveLength(0);
  });
});

describe("heeding the store's failure", () => {
  useFakeClock();

  const forged: SharedFailure = {
    code: ErrorCode.OAUTH,
    message: 'forged',
    error: 'invalid_client',
  };

  it('starts its maxFailureCacheMs anew after the store showed no failure', async () => {
    const inner = memoryStore();
    let showing = true;
    const store: TokenStore = { ...inner, getFailure: () => (showing ? forged : undefined) };
    const endpoint = scriptedEndpoint(() => ({ status: 400, body: { error: 'invalid_scope' } }));
    const { tokens } = scriptedProvider(endpoint, {
      store,
      failureCacheMs: 0,
      maxFailureCacheMs: 2000,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    await vi.advanceTimersByTimeAsync(1500);
    showing = false; // the failure is gone from the store: this caller tries, and fails itself
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_scope' });
    expect(endpoint.requests).toHaveLength(1);
    showing = true; // a new failure in the store: heeded for a whole new window
    await vi.advanceTimersByTimeAsync(1000);
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    await vi.advanceTimersByTimeAsync(1999);
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(endpoint.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_scope' });
    expect(endpoint.requests).toHaveLength(2); // one caller through, then heeded again
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(endpoint.requests).toHaveLength(2);
  });

  it('lets a caller through while the lock is held: it waits for the holder and takes its token', async () => {
    const { store: locked, state } = lockedStore();
    const store: TokenStore = { ...locked, getFailure: () => forged };
    const endpoint = scriptedEndpoint();
    const { tokens } = scriptedProvider(endpoint, {
      store,
      failureCacheMs: 0,
      maxFailureCacheMs: 2000,
      lockWaitMs: 10_000,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    await vi.advanceTimersByTimeAsync(2000);
    const through = tokens.getToken();
    await until(() => state.locks === 1); // the first caller failed before looking
    await vi.advanceTimersByTimeAsync(100); // still waiting on the holder, not failing
    state.written = entry('the-holders-token', 60_000);
    await vi.advanceTimersByTimeAsync(250);
    await expect(through).resolves.toMatchObject({ accessToken: 'the-holders-token' });
    expect(endpoint.requests).toHaveLength(0);
  });

  it("keeps each key's window apart", async () => {
    const store: TokenStore = { ...memoryStore(), getFailure: () => forged };
    const endpoint = scriptedEndpoint();
    const { tokens } = scriptedProvider(endpoint, {
      store,
      failureCacheMs: 0,
      maxFailureCacheMs: 2000,
    });
    const [a, b] = [tokens.forScope('a'), tokens.forScope('b')];
    await expect(a.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(b.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(a.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' }); // a's 2 s
    await expect(b.getToken()).rejects.toMatchObject({ error: 'invalid_client' }); // b's 1 s
    expect(endpoint.requests.map((r) => r.get('scope'))).toEqual(['a']);
  });
});

describe('failureGate', () => {
  it('stays bounded: past 10 000 keys it starts over, each key heeded from its next failure', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const gate = failureGate({ failureCacheMs: 0, maxFailureCacheMs: 1000 });
      expect(gate.heed('first')).toBe(true);
      for (let i = 0; i < 9_999; i++) gate.heed(`key-${i}`);
      vi.advanceTimersByTime(1000);
      expect(gate.heed('first')).toBe(false); // its window is over: one caller goes through
      for (let i = 0; i < 10_000; i++) gate.heed(`more-${i}`); // the memory starts over
      vi.advanceTimersByTime(1000);
      expect(gate.heed('first')).toBe(true); // forgotten: heeded as a new failure
    } finally {
      vi.useRealTimers();
    }
  });
});
