import { describe, expect, it } from 'vitest';
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
});
