/**
 * What fetchAuth sends for the hops of a redirect core follows (`RedirectHop`): the caller's
 * request at the hop's URL, with the hop's method, without the headers core takes off, and
 * with the body only while the hop keeps it. Always `redirect: 'manual'`, so the fetch
 * underneath shows each redirect to core instead of following it.
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

/**
 * The sender of a `Request`'s hops after the first, as `(url, init)` calls with the
 * Request's fields. `unsent()` is a clone of it taken before the last send: its body is read
 * once and kept for every later hop and replay, so the length is known (no chunked
 * re-encoding); once a redirect drops the body, the clone's is cancelled.
 */
export function requestHops(request: Request, unsent: () => Request) {
  let body: Promise<ArrayBuffer> | undefined;
  return async (hop: RedirectHop, exchange: Exchange): Promise<[string, RequestInit]> => {
    const headers = new Headers(request.headers);
    for (const name of hop.dropHeaders) headers.delete(name);
    exchange.apply(headers);
    const { cache, credentials, integrity, keepalive, referrer, referrerPolicy, signal } = request;
    const init: RequestInit = {
      cache,
      credentials,
      integrity,
      keepalive,
      referrer,
      referrerPolicy,
      signal,
      method: hop.method,
      headers,
      redirect: 'manual',
    };
    const source = unsent();
    if (!hop.body) {
      // A redirect made it a GET: the clone's copy of the body is needed no more.
      await source.body?.cancel().catch(() => undefined);
    } else if (body || source.body) {
      body ??= source.arrayBuffer();
      init.body = await body;
    }
    return [hop.url.href, init];
  };
}
