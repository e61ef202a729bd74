import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, TokenHttpError, TokenNetworkError } from '../src/errors.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import { defaultRetry, parseRetryAfter, retryDelay } from '../src/retry.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import {
  issue,
  type Reply,
  scriptedEndpoint,
  scriptedProvider,
} from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

/**
 * Turns the event loop (real time, fake clock untouched) until `scope` got its request: on a
 * loaded machine Web Crypto and the request take many turns, and advancing the fake clock
 * meanwhile would eat into the wait under test before it has started.
 */
async function reached(scope: nock.Scope): Promise<void> {
  for (let turn = 0; !scope.isDone() && turn < 100_000; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(scope.isDone()).toBe(true);
}

describe('retryDelay', () => {
  const unavailable = new TokenHttpError(503);
  it('draws full jitter below a doubling ceiling capped at maxDelayMs', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(unavailable, 1, policy, () => 0.999)).toBe(99);
    expect(retryDelay(unavailable, 2, policy, () => 0.999)).toBe(199);
    expect(retryDelay(unavailable, 3, policy, () => 0.5)).toBe(200);
    expect(retryDelay(unavailable, 6, policy, () => 0.999)).toBe(999);
    expect(retryDelay(unavailable, 1, policy, () => 0)).toBe(0);
  });

  it('stops after maxAttempts and for errors that are not retryable', () => {
    expect(retryDelay(unavailable, 3, defaultRetry)).toBeUndefined();
    for (const status of [400, 401, 403, 404]) {
      expect(retryDelay(new TokenHttpError(status), 1, defaultRetry)).toBeUndefined();
    }
    expect(retryDelay(new Error('not ours'), 1, defaultRetry)).toBeUndefined();
    expect(retryDelay(new TokenNetworkError('down'), 1, defaultRetry)).toBeTypeOf('number');
    expect(retryDelay(new TokenHttpError(408), 1, defaultRetry)).toBeTypeOf('number');
  });

  it('waits exactly what Retry-After asks, and gives up when it asks for too long', () => {
    expect(retryDelay(new TokenHttpError(429, { retryAfterMs: 2000 }), 1, defaultRetry)).toBe(2000);
    expect(
      retryDelay(new TokenHttpError(429, { retryAfterMs: 60_000 }), 1, defaultRetry),
    ).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates, and ignores garbage', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 24 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('token request retries', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(replies: Reply[], options: Partial<TokenProviderOptions> = {}) {
    const endpoint = scriptedEndpoint();
    endpoint.queue.push(...replies);
    return scriptedProvider(endpoint, options);
  }

  it('retries a network error, reporting the retry', async () => {
    const { endpoint, tokens, events } = setup([{ networkError: 'ECONNRESET' }, issue()]);
    const token = await settle(tokens.getToken());
    expect(token.accessToken).toMatch(/^tok-/);
    expect(endpoint.requests).toHaveLength(2);
    const retried = events.find((e) => e.type === 'token_request_retried');
    expect(retried).toMatchObject({ attempt: 1, error: { code: ErrorCode.NETWORK } });
  });

  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i', async (status) => {
    const { endpoint, tokens } = setup([{ status, body: {} }, { status, body: {} }, issue()]);
    await settle(tokens.getToken());
    expect(endpoint.requests).toHaveLength(3);
  });

  it.each([400, 401, 403])('never retries HTTP %i', async (status) => {
    const { endpoint, tokens } = setup([{ status, body: { error: 'invalid_request' } }]);
    await expect(settle(tokens.getToken())).rejects.toMatchObject({
      status,
      code: ErrorCode.OAUTH,
    });
    expect(endpoint.requests).toHaveLength(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { endpoint, tokens } = setup([], { retry: { maxAttempts: 4 } });
    endpoint.queue.push(...Array.from({ length: 10 }, () => ({ status: 502, body: {} })));
    await expect(settle(tokens.getToken())).rejects.toMatchObject({
      status: 502,
      code: ErrorCode.HTTP,
    });
    expect(endpoint.requests).toHaveLength(4);
  });

  it('turns a hung attempt into a timeout, retried, then a typed M2M_TIMEOUT', async () => {
    const { endpoint, tokens } = setup([{ hang: true }, { hang: true }], {
      timeoutMs: 1000,
      retry: { maxAttempts: 2 },
    });
    const error = await settle(
      tokens.getToken().catch((e: unknown) => e),
      50,
    );
    expect(error).toMatchObject({ code: ErrorCode.TIMEOUT, name: 'TokenTimeoutError' });
    expect((error as Error).message).toBe('Token request timed out after 1000 ms');
    expect(endpoint.requests).toHaveLength(2);
  });
});

describe('Retry-After from a real HTTP response (nock)', () => {
  const origin = 'https://auth.retry.test';
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => {
    vi.useRealTimers();
    nock.cleanAll();
  });

  function tokens() {
    return createTokenProvider({
      tokenUrl: `${origin}/token`,
      clientId: 'c',
      clientSecret: 'secret-value',
    });
  }

  it('waits the seconds a 429 asks for before the next attempt', async () => {
    const limited = nock(origin)
      .post('/token')
      .reply(429, { error: 'slow_down' }, { 'Retry-After': '2' });
    const ok = nock(origin)
      .post('/token')
      .reply(200, { access_token: 'after-wait', expires_in: 60 });
    const pending = tokens().getToken();
    await reached(limited); // in real time: the wait we measure starts at the 429
    await settle(new Promise((resolve) => setTimeout(resolve, 1500)));
    expect(ok.isDone()).toBe(false);
    await expect(settle(pending)).resolves.toMatchObject({ accessToken: 'after-wait' });
    expect(ok.isDone()).toBe(true);
  });

  it('honours Retry-After given as an HTTP-date', async () => {
    const at = new Date(Date.now() + 3000).toUTCString();
    const busy = nock(origin).post('/token').reply(503, 'busy', { 'Retry-After': at });
    const ok = nock(origin)
      .post('/token')
      .reply(200, { access_token: 'after-date', expires_in: 60 });
    const pending = tokens().getToken();
    await reached(busy);
    await settle(new Promise((resolve) => setTimeout(resolve, 1500)));
    expect(ok.isDone()).toBe(false);
    await expect(settle(pending)).resolves.toMatchObject({ accessToken: 'after-date' });
  });
});
