/**
 * What fetchAuth sends for the hops of a redirect core follows (`RedirectHop`) when it was
 * called with `(url, init)`: the caller's init for the hop's URL, with the hop's method,
 * without the headers core takes off, with the body only while the hop keeps it, and the
 * headers in the caller's form. Always `redirect: 'manual'`, so the fetch underneath shows
 * each redirect to core instead of following it. (A `Request`'s hops: core's
 * `requestAttempts`, shared with kyAuth.)
 */
import type { Exchange, RedirectHop } from '@m2m-auth/core/adapter';
import { withAuthorization } from './headers-init.ts';

/** `headers` without `names`, copied; the caller's object is never changed. */
function without(headers: HeadersInit | undefined, names: readonly string[]) {
  if (!headers || names.length === 0) return headers;
  const copy = new Headers(headers);
  for (const name of names) copy.delete(name);
  return copy;
}

/** The init for one hop of a `(url, init)` call. */
export function hopInit(
  init: RequestInit | undefined,
  hop: RedirectHop,
  exchange: Exchange,
): RequestInit {
  const next: RequestInit = { ...init, method: hop.method, redirect: 'manual' };
  const headers = withAuthorization(without(init?.headers, hop.dropHeaders), exchange);
  if (headers === undefined) delete next.headers;
  else next.headers = headers;
  if (!hop.body) delete next.body;
  return next;
}
