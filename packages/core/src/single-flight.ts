/**
 * One token request per key at a time (p-memoize with its cache off: it only joins
 * concurrent calls), and a failure shared like a success: it is remembered for a moment
 * (longer when the server sent `Retry-After`) so wrong credentials under load do not
 * hammer the token endpoint.
 */
import pMemoize from 'p-memoize';
import { type FailureCacheOptions, failureMemory, failureMemoryMs } from './failure-memory.ts';

export interface SingleFlight<T> {
  /** Joins the running call for `key`, or rethrows a remembered failure, or runs `work`. */
  run(key: string, work: () => Promise<T>): Promise<T>;
  /** True while a failure for `key` is remembered. */
  failing(key: string): boolean;
}

const MAX_REMEMBERED = 10_000;

export function singleFlight<T>(options: FailureCacheOptions): SingleFlight<T> {
  // Boxed: anything may be thrown, `undefined` too, and it must still count as a failure.
  const failures = failureMemory<{ error: unknown }>(MAX_REMEMBERED);

  const execute = pMemoize(
    async (key: string, work: () => Promise<T>) => {
      try {
        const value = await work();
        // Stryker disable next-line CallExpression: work runs only when no failure is remembered
        failures.forget(key);
        return value;
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
    // Always false would change nothing: run() rejects a remembered failure without the work.
    // Stryker disable next-line ArrowFunction,ConditionalExpression: equivalent, see above
    failing: (key) => failures.recall(key) !== undefined,
  };
}
