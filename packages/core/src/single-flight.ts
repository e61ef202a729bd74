/**
 * One token request per key at a time (p-memoize with its cache off: it only joins
 * concurrent calls), and a failure shared like a success: it is remembered for a moment
 * (longer when the server sent `Retry-After`) so wrong credentials under load do not
 * hammer the token endpoint.
 */
import pMemoize from 'p-memoize';
import { failureMemoryMs } from './shared-failure.ts';

export interface SingleFlightOptions {
  failureCacheMs: number;
  maxFailureCacheMs: number;
}

export interface SingleFlight<T> {
  /** Joins the running call for `key`, or rethrows a remembered failure, or runs `work`. */
  run(key: string, work: () => Promise<T>): Promise<T>;
  /** True while a failure for `key` is remembered. */
  failing(key: string): boolean;
}

const MAX_REMEMBERED = 10_000;

export function singleFlight<T>(options: SingleFlightOptions): SingleFlight<T> {
  const failures = new Map<string, { error: unknown; until: number }>();

  const remember = (key: string, error: unknown) => {
    if (failures.size >= MAX_REMEMBERED) failures.clear();
    failures.set(key, { error, until: Date.now() + failureMemoryMs(error, options) });
  };

  const execute = pMemoize(
    async (key: string, work: () => Promise<T>) => {
      try {
        const value = await work();
        failures.delete(key);
        return value;
      } catch (error) {
        remember(key, error);
        throw error;
      }
    },
    { cache: false },
  );

  const failure = (key: string) => {
    const failed = failures.get(key);
    if (failed && Date.now() >= failed.until) failures.delete(key);
    return failures.get(key);
  };

  return {
    run(key, work) {
      const failed = failure(key);
      return failed ? Promise.reject(failed.error) : execute(key, work);
    },
    failing: (key) => failure(key) !== undefined,
  };
}
