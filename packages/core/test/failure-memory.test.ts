import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenHttpError } from '../src/errors.ts';
import { failureMemory, failureMemoryMs } from '../src/failure-memory.ts';

describe('failureMemory', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('recalls a failure until its time is up, then forgets it', () => {
    const memory = failureMemory<string>(10);
    memory.remember('k', 'refused', 1000);
    vi.advanceTimersByTime(999);
    expect(memory.recall('k')).toBe('refused');
    vi.advanceTimersByTime(1);
    expect(memory.recall('k')).toBeUndefined();
  });

  it('starts over rather than grow past its bound', () => {
    const memory = failureMemory<string>(2);
    memory.remember('a', 'x', 1000);
    memory.remember('b', 'y', 1000);
    memory.remember('c', 'z', 1000);
    expect([memory.recall('a'), memory.recall('b'), memory.recall('c')]).toEqual([
      undefined,
      undefined,
      'z',
    ]);
  });
});

describe('failureMemoryMs', () => {
  const options = { failureCacheMs: 1000, maxFailureCacheMs: 60_000 };

  it("is failureCacheMs, longer when the server's Retry-After asks, never past the cap", () => {
    expect(failureMemoryMs(new Error('plain'), options)).toBe(1000);
    expect(failureMemoryMs(new TokenHttpError(503, { retryAfterMs: 5000 }), options)).toBe(5000);
    expect(failureMemoryMs(new TokenHttpError(503, { retryAfterMs: 3_600_000 }), options)).toBe(
      60_000,
    );
  });
});
