/**
 * What the token cache reports and shares: a failed token request as an event, the served
 * tokens and token requests on the diagnostics channels (with a refresh's lead time), and a
 * failure shared through the store only by the lock holder.
 */
import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../src/memory-store.ts';
import type { TokenStore } from '../src/token-store.ts';
import { useFakeClock } from './helpers/fake-clock.ts';
import { issue, scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

function listen(name: string) {
  const messages: Array<Record<string, unknown>> = [];
  const listener = (message: unknown) => messages.push(message as Record<string, unknown>);
  diagnostics.subscribe(name, listener);
  return { messages, stop: () => diagnostics.unsubscribe(name, listener) };
}

describe('the token cache reports', () => {
  useFakeClock();

  it('a failed token request as one token_request_failed event with its error', async () => {
    const endpoint = scriptedEndpoint(() => ({ status: 400, body: { error: 'invalid_scope' } }));
    const { tokens, events } = scriptedProvider(endpoint, { retry: { maxAttempts: 1 } });
    await expect(settle(tokens.getToken())).rejects.toMatchObject({ error: 'invalid_scope' });
    const failed = events.filter((e) => e.type === 'token_request_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ scope: undefined, error: { error: 'invalid_scope' } });
    expect(failed[0]?.key).toMatch(/^m2m:/);
  });

  it('each token served from the cache, not a stale one, and a refresh ahead with its lead time', async () => {
    const served = listen('m2m-auth:token-served');
    const started = listen('tracing:m2m-auth:token-request:start');
    try {
      const endpoint = scriptedEndpoint(() => issue(900));
      const { tokens } = scriptedProvider(endpoint, { refreshJitterRatio: 0 });
      await settle(tokens.getToken()); // fetched, not served from the cache
      const start = endpoint.arrivals[0] as number;
      await tokens.getToken();
      vi.setSystemTime(start + 700_000); // refresh ahead from 630 s, stale at 840 s
      await tokens.getToken();
      await settle(new Promise((resolve) => setTimeout(resolve, 0)));
      vi.setSystemTime(start + 2_000_000); // past the refreshed token's stale point too
      await settle(tokens.getToken());
      expect(served.messages.map((m) => m['refreshAhead'])).toEqual([false, true]);
      expect(served.messages[1]).toMatchObject({ ageMs: 700_000, expiresInMs: 200_000 });
      expect(started.messages.map((m) => m['refreshAhead'])).toEqual([false, true, false]);
      expect(started.messages[1]?.['replacingExpiresInMs']).toBe(200_000);
      expect('replacingExpiresInMs' in (started.messages[0] ?? {})).toBe(false);
    } finally {
      served.stop();
      started.stop();
    }
  });
});

describe('a failure shared through the store', () => {
  useFakeClock();

  it('is written by the lock holder only, and a store without setFailure is no error', async () => {
    const inner = memoryStore();
    const shared: unknown[] = [];
    let someoneElseHolds = true;
    const store: TokenStore = {
      get: (key) => inner.get(key),
      set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
      deleteIf: (key, token) => inner.deleteIf(key, token),
      lock: (key, ttlMs) => (someoneElseHolds ? undefined : inner.lock(key, ttlMs)),
      setFailure: (_key, failure) => {
        shared.push(failure);
      },
    };
    const endpoint = scriptedEndpoint(() => ({ status: 400, body: { error: 'invalid_scope' } }));
    const options = { store, retry: { maxAttempts: 1 }, failureCacheMs: 0, lockWaitMs: 50 };
    const { tokens } = scriptedProvider(endpoint, options);
    // Waited in vain for the holder, fetched by itself, failed: not its failure to share.
    await expect(settle(tokens.getToken())).rejects.toMatchObject({ error: 'invalid_scope' });
    expect(shared).toEqual([]);
    someoneElseHolds = false;
    await expect(settle(tokens.getToken())).rejects.toMatchObject({ error: 'invalid_scope' });
    expect(shared).toMatchObject([{ error: 'invalid_scope', status: 400 }]);
    const { setFailure: _omitted, ...withoutSharing } = store;
    const other = scriptedProvider(endpoint, { ...options, store: withoutSharing }).tokens;
    await expect(settle(other.getToken())).rejects.toMatchObject({ error: 'invalid_scope' });
  });
});
