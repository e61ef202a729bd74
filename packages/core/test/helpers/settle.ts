import { vi } from 'vitest';

/**
 * Drives fake timers until `promise` settles. Web Crypto and real I/O resolve outside the
 * fake clock, so this alternates a real macrotask turn with a small fake-time step instead
 * of one `runAllTimersAsync()` that could run before the provider has set its timers.
 */
export async function settle<T>(promise: Promise<T>, stepMs = 10, maxSteps = 100_000): Promise<T> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let step = 0; !settled && step < maxSteps; step++) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  return promise;
}
