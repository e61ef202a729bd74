import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, OAuthError } from '../src/errors.ts';
import { memoryStore } from '../src/memory-store.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import {
  issue,
  type ScriptedEndpoint,
  scriptedEndpoint,
  scriptedProvider,
} from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

function provider(endpoint: ScriptedEndpoint, options: Partial<TokenProviderOptions> = {}) {
  return scriptedProvider(endpoint, options).tokens;
}

const invalidClient = { status: 401, body: { error: 'invalid_client' } };

describe('single-flight', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes one token request for 1000 concurrent callers on a cold cache', async () => {
    const endpoint = scriptedEndpoint(() => ({ ...issue(), delayMs: 50 }));
    const tokens = provider(endpoint);
    const all = await settle(Promise.all(Array.from({ length: 1000 }, () => tokens.getToken())));
    expect(endpoint.requests).toHaveLength(1);
    expect(new Set(all.map((t) => t.accessToken)).size).toBe(1);
  });

  it('shares a failure like a success: 50 concurrent callers, one request, one error', async () => {
    const endpoint = scriptedEndpoint(() => ({ ...invalidClient, delayMs: 20 }));
    const tokens = provider(endpoint);
    const results = await settle(
      Promise.allSettled(Array.from({ length: 50 }, () => tokens.getToken())),
    );
    expect(endpoint.requests).toHaveLength(1);
    const reasons = new Set(results.map((r) => (r.status === 'rejected' ? r.reason : r.value)));
    expect(reasons.size).toBe(1);
    const [reason] = reasons;
    expect(reason).toBeInstanceOf(OAuthError);
    expect(reason).toMatchObject({ error: 'invalid_client', status: 401, code: ErrorCode.OAUTH });
  });

  it('remembers a failure for about a second: 1000 callers/s for 5 s make about 5 requests', async () => {
    const endpoint = scriptedEndpoint(() => invalidClient);
    const tokens = provider(endpoint);
    await settle(tokens.getToken().catch(() => undefined)); // the key is computed; timing starts
    const before = endpoint.requests.length;
    let failures = 0;
    for (let tick = 0; tick < 50; tick++) {
      const burst = Array.from({ length: 100 }, () => tokens.getToken().catch(() => failures++));
      await Promise.all(burst);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(failures).toBe(5000);
    const made = endpoint.requests.length - before;
    expect(made).toBeGreaterThanOrEqual(4);
    expect(made).toBeLessThanOrEqual(6);
  });

  it("remembers a failure for the server's Retry-After when it is longer", async () => {
    const endpoint = scriptedEndpoint(() => ({
      status: 503,
      body: { error: 'temporarily_unavailable' },
      headers: { 'retry-after': '3' },
    }));
    const tokens = provider(endpoint, { retry: { maxAttempts: 1 } });
    await settle(tokens.getToken().catch(() => undefined));
    expect(endpoint.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2900);
    await expect(tokens.getToken()).rejects.toMatchObject({ status: 503 });
    expect(endpoint.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    await settle(tokens.getToken().catch(() => undefined));
    expect(endpoint.requests).toHaveLength(2);
  });

  it('lets one caller abort without cancelling the request the others wait on', async () => {
    const endpoint = scriptedEndpoint(() => ({ ...issue(), delayMs: 1000 }));
    const tokens = provider(endpoint);
    const controller = new AbortController();
    const impatient = tokens.getToken({ signal: controller.signal });
    const patient = Array.from({ length: 10 }, () => tokens.getToken());
    await settle(Promise.resolve(), 10, 5);
    controller.abort();
    await expect(impatient).rejects.toMatchObject({ name: 'AbortError' });
    const tokensReceived = await settle(Promise.all(patient));
    expect(new Set(tokensReceived.map((t) => t.accessToken)).size).toBe(1);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('rejects at once for a signal that is already aborted, with its reason', async () => {
    const endpoint = scriptedEndpoint();
    const tokens = provider(endpoint);
    const reason = new Error('caller gave up');
    await expect(settle(tokens.getToken({ signal: AbortSignal.abort(reason) }))).rejects.toBe(
      reason,
    );
  });

  it('keeps one token per scope and shares it across scope spellings', async () => {
    const endpoint = scriptedEndpoint();
    const tokens = provider(endpoint, { clientAuth: 'client_secret_post' });
    const [a, b, a2, ab, ba] = await settle(
      Promise.all([
        tokens.forScope('tenant/a').getToken(),
        tokens.forScope('tenant/b').getToken(),
        tokens.forScope(['tenant/a']).getToken(),
        tokens.forScope('read write').getToken(),
        tokens.forScope(['write', 'read']).getToken(),
      ]),
    );
    expect(a?.accessToken).toBe(a2?.accessToken);
    expect(a?.accessToken).not.toBe(b?.accessToken);
    expect(ab?.accessToken).toBe(ba?.accessToken);
    expect(endpoint.requests.map((r) => r.get('scope')).sort()).toEqual([
      'read write',
      'tenant/a',
      'tenant/b',
    ]);
  });

  it('gives two providers sharing one memory store a single token request', async () => {
    const endpoint = scriptedEndpoint(() => ({ ...issue(), delayMs: 100 }));
    const store = memoryStore();
    const first = provider(endpoint, { store });
    const second = provider(endpoint, { store });
    const all = await settle(
      Promise.all([
        ...Array.from({ length: 20 }, () => first.getToken()),
        ...Array.from({ length: 20 }, () => second.getToken()),
      ]),
    );
    expect(endpoint.requests).toHaveLength(1);
    expect(new Set(all.map((t) => t.accessToken)).size).toBe(1);
  });

  it("shares one provider's failure with another waiting on the same store", async () => {
    const endpoint = scriptedEndpoint(() => ({
      status: 503,
      body: { error: 'temporarily_unavailable' },
      delayMs: 50,
    }));
    const store = memoryStore();
    const [first, second] = [provider(endpoint, { store }), provider(endpoint, { store })];
    const results = await settle(
      Promise.allSettled([first.getToken(), second.getToken(), second.getToken()]),
    );
    // One holder made its 3 attempts; the waiter took the holder's failure, not its turn.
    expect(endpoint.requests).toHaveLength(3);
    for (const result of results) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { code: ErrorCode.OAUTH, error: 'temporarily_unavailable', status: 503 },
      });
    }
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(OAuthError);
  });

  it('uses a new cache entry when the secret is rotated', async () => {
    const endpoint = scriptedEndpoint();
    const store = memoryStore();
    const before = await settle(provider(endpoint, { store }).getToken());
    const after = await settle(
      provider(endpoint, { store, clientSecret: 'rotated-secret' }).getToken(),
    );
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(endpoint.requests).toHaveLength(2);
    expect(store.size).toBe(2);
  });
});
