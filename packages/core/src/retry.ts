/**
 * Which token-request failures are retried, and how long to wait: capped exponential
 * backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"),
 * or exactly what `Retry-After` asks when the server said.
 */
import { ErrorCode, isM2MAuthError } from './errors.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. @default 3 */
  maxAttempts?: number;
  /** First backoff ceiling in ms; it doubles per attempt. @default 100 */
  baseDelayMs?: number;
  /**
   * Longest wait between attempts in ms. A `Retry-After` longer than this ends the retries:
   * the failure is then remembered for the `Retry-After` duration instead. @default 5000
   */
  maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const defaultRetry: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 };

const RETRYABLE_STATUS = new Set([408, 429]);

/** Network errors, timeouts, 408, 429 and 5xx; never 400/401/403 or a malformed 2xx. */
export function isRetryable(error: unknown): boolean {
  if (!isM2MAuthError(error)) return false;
  if (error.code === ErrorCode.NETWORK || error.code === ErrorCode.TIMEOUT) return true;
  const status = error.status ?? 0;
  return RETRYABLE_STATUS.has(status) || (status >= 500 && status <= 599);
}

/** Delay before attempt number `attempt + 1`, or `undefined` to stop retrying. */
export function retryDelay(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts || !isRetryable(error)) return undefined;
  const asked = isM2MAuthError(error) ? error.retryAfterMs : undefined;
  if (asked !== undefined) return asked <= policy.maxDelayMs ? asked : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names its weekday and month; this keeps `-5` or `2026` from
  // passing as a date through Date.parse's leniency.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
