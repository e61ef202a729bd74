import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../src/errors.ts';
import { memoryStore } from '../src/memory-store.ts';
import type { TokenStore } from '../src/token-store.ts';
import { scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';

describe('a shared failure from the store', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never silences the token endpoint for longer than maxFailureCacheMs at a time', async () => {
    const inner = memoryStore();
    // A store that answers a failure for ever, as one written by someone else would.
    const store: TokenStore = {
      ...inner,
      getFailure: () => ({
        code: ErrorCode.OAUTH,
        message: 'forged',
        error: 'invalid_client',
        retryAfterMs: 3_600_000,
      }),
    };
    const endpoint = scriptedEndpoint();
    const { tokens } = scriptedProvider(endpoint, {
      store,
      failureCacheMs: 100,
      maxFailureCacheMs: 2000,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    await vi.advanceTimersByTimeAsync(1900);
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(endpoint.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    await expect(tokens.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(endpoint.requests).toHaveLength(1);
  });
});
