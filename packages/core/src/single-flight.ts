/**
 * One token request per key at a time (p-memoize with its cache off: it only joins
 * concurrent calls), and a failure shared like a success: it is remembered for a moment
 * (longer when the server sent `Retry-After`) so wrong credentials under load do not
 * hammer the token endpoint.
 */
import pMemoize from 'p-memoize';
import { type FailureCacheOptions, failureMemory, failureMemoryMs } from './failure-memory.ts';

export interface SingleFlight<T> {
  /**
   * Joins the running call for `key`, or rethrows a remembered failure without running
   * `work` (so a refresh-ahead during a remembered failure asks nothing), or runs `work`.
   */
  run(key: string, work: () => Promise<T>): Promise<T>;
}

const MAX_REMEMBERED = 10_000;

export function singleFlight<T>(options: FailureCacheOptions): SingleFlight<T> {
  // Boxed: anything may be thrown, `undefined` too, and it must still count as a failure.
  const failures = failureMemory<{ error: unknown }>(MAX_REMEMBERED);

  const execute = pMemoize(
    async (key: string, work: () => Promise<T>) => {
      try {
        // Work runs only while no failure is remembered for `key`: nothing to forget after.
        return await work();
      } catch (error) {
        failures.remember(key, { error }, failureMemoryMs(error, options));
        throw error;
      }
    },
    { cache: false },
  );

  return {
    run(key, work) {
      const failed = failures.recall(key);
      return failed ? Promise.reject(failed.error) : execute(key, work);
    },
  };
}
