import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../src/memory-store.ts';
import type { StoredToken } from '../src/token-store.ts';

function stored(accessToken: string, now = Date.now()): StoredToken {
  return {
    token: { accessToken, tokenType: 'Bearer', expiresAt: now + 60_000 },
    obtainedAt: now,
    refreshAt: now + 30_000,
    staleAt: now + 45_000,
  };
}

describe('memoryStore', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const store = memoryStore({ maxEntries: 2 });
    store.set('a', stored('A'), 10_000);
    store.set('b', stored('B'), 10_000);
    expect(store.get('a')?.token.accessToken).toBe('A'); // a is now most recent
    store.set('c', stored('C'), 10_000);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')?.token.accessToken).toBe('A');
    expect(store.get('c')?.token.accessToken).toBe('C');
    expect(store.size).toBe(2);
  });

  it('stays bounded with 10 000 tenant scopes', () => {
    const store = memoryStore({ maxEntries: 1000 });
    for (let i = 0; i < 10_000; i++) store.set(`tenant/${i}`, stored(`T${i}`), 10_000);
    expect(store.size).toBe(1000);
    expect(store.get('tenant/9999')?.token.accessToken).toBe('T9999');
    expect(store.get('tenant/0')).toBeUndefined();
  });

  it('forgets an entry after its TTL', () => {
    const store = memoryStore();
    const now = Date.now();
    store.set('k', stored('A', now), 1);
    const later = now + 5;
    while (Date.now() < later) {
      // busy-wait 5 ms: no fake timers needed for a TTL of 1 ms
    }
    expect(store.get('k')).toBeUndefined();
  });

  it("judges expiry by the caller's clock reading when given one", () => {
    const store = memoryStore();
    const now = Date.now();
    store.set('k', stored('A', now), 1_000);
    expect(store.get('k', now + 999)?.token.accessToken).toBe('A');
    expect(store.get('k', now + 5_000)).toBeUndefined();
    expect(store.size).toBe(0); // an expired entry is dropped, as on a read without one
  });
  it('deletes only when the entry still holds the given token', () => {
    const store = memoryStore();
    store.set('k', stored('NEW'), 10_000);
    expect(store.deleteIf('k', 'OLD')).toBe(false);
    expect(store.get('k')?.token.accessToken).toBe('NEW');
    expect(store.deleteIf('k', 'NEW')).toBe(true);
    expect(store.get('k')).toBeUndefined();
  });

  it('grants a lock to one holder until it releases it, however slow the holder', () => {
    const store = memoryStore();
    const first = store.lock('k', 1);
    expect(first).toBeDefined();
    const later = Date.now() + 5;
    while (Date.now() < later) {
      // busy-wait past the TTL: an in-process holder keeps its lock until it releases it
    }
    expect(store.lock('k', 1)).toBeUndefined();
    first?.release();
    first?.release(); // a second release frees nothing of another holder's
    const second = store.lock('k', 1);
    expect(second).toBeDefined();
    first?.release();
    expect(store.lock('k', 1)).toBeUndefined();
  });

  it('counts every read as a use, the most recent one included', () => {
    const store = memoryStore({ maxEntries: 2 });
    store.set('a', stored('A'), 10_000);
    store.set('b', stored('B'), 10_000);
    expect(store.get('a')?.token.accessToken).toBe('A');
    expect(store.get('b')?.token.accessToken).toBe('B'); // b used last, after a
    store.set('c', stored('C'), 10_000);
    expect([store.get('a'), store.get('b')?.token.accessToken]).toEqual([undefined, 'B']);
    expect(store.get('c')?.token.accessToken).toBe('C'); // c used last
    store.set('b', stored('B2'), 10_000); // a write is a use too
    store.set('d', stored('D'), 10_000);
    expect([store.get('c'), store.get('b')?.token.accessToken]).toEqual([undefined, 'B2']);
  });

  it('keeps an entry for exactly its TTL, and a shared failure for its own', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const store = memoryStore();
      store.set('k', stored('A'), 1000);
      store.setFailure('k', { code: 'M2M_HTTP_ERROR', message: 'down', status: 503 }, 500);
      vi.advanceTimersByTime(499);
      expect(store.getFailure('k')).toMatchObject({ status: 503 });
      vi.advanceTimersByTime(1);
      expect(store.getFailure('k')).toBeUndefined();
      vi.advanceTimersByTime(499);
      expect(store.get('k')?.token.accessToken).toBe('A');
      expect(store.size).toBe(1);
      vi.advanceTimersByTime(1);
      expect(store.get('k')).toBeUndefined();
      expect(store.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('deletes nothing for a key it does not hold, and locks keys apart', () => {
    const store = memoryStore();
    expect(store.deleteIf('missing', 'A')).toBe(false);
    const a = store.lock('a', 1000);
    expect(store.lock('b', 1000)).toBeDefined();
    a?.release();
    expect(store.lock('a', 1000)).toBeDefined();
  });
});
