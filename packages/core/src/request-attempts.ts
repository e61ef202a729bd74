/**
 * The attempts of one fetch `Request` that core authorizes, for the adapters whose transport
 * is a fetch taking that Request (fetchAuth, kyAuth's `fetch` option). The Request itself goes
 * first, then a clone taken before each send that a replay or a redirect may need again. The
 * later hops of a redirect core follows (`Exchange.follow`) go as `(url, init)` calls with
 * the Request's fields, the hop's method, without the headers the hop takes off, and with the
 * body only while the hop keeps it. Every hop goes with `redirect: 'manual'`, so the fetch
 * underneath shows each redirect to core instead of following it.
 */
import type { AnswerLike, Exchange } from './exchange.ts';
import type { RedirectHop } from './redirect-hop.ts';

/** The fetch underneath: a Request with the fetch's own options, or a hop's URL and init. */
export type RequestSend<R extends AnswerLike> = (
  input: Request | string,
  init: RequestInit | undefined,
) => Promise<R>;

/** One attempt: `exchange` undefined when the request is not ours (sent as it is). */
export type RequestAttempt<R extends AnswerLike> = (
  exchange: Exchange | undefined,
  n: 0 | 1,
  hop?: RedirectHop,
) => Promise<R>;

/**
 * `extras`: what the fetch takes besides the Request (undici's `dispatcher`, Next's `next`),
 * passed on every send. A later hop's body is read once from the clone and kept for every
 * later hop and replay, so its length is known (no chunked re-encoding); once a redirect
 * drops the body, the clone's is cancelled.
 */
export function requestAttempts<R extends AnswerLike>(
  request: Request,
  send: RequestSend<R>,
  extras?: object,
): RequestAttempt<R> {
  // The Request not sent yet: the request, then the clone taken before the last send.
  let unsent = request;
  let body: Promise<ArrayBuffer> | undefined;

  async function laterHop(hop: RedirectHop, exchange: Exchange): Promise<R> {
    const headers = new Headers(request.headers);
    for (const name of hop.dropHeaders) headers.delete(name);
    exchange.apply(headers);
    const { cache, credentials, integrity, keepalive, referrer, referrerPolicy, signal } = request;
    const init: RequestInit = {
      ...extras,
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
    // Stryker disable next-line BlockStatement: not observable, it frees the clone's copy sooner
    if (!hop.body) {
      // A redirect made it a GET: the clone's copy of the body is needed no more.
      await unsent.body?.cancel().catch(() => undefined);
    } else if (body || unsent.body) {
      body ??= unsent.arrayBuffer();
      init.body = await body;
    }
    return send(hop.url.href, init);
  }

  return async (exchange, n, hop) => {
    if (exchange && hop && hop.count > 0) return laterHop(hop, exchange);
    const outgoing = unsent;
    if (exchange) {
      const keep = hop ? exchange.resendable : n === 0 && exchange.mayReplay;
      if (keep && outgoing.body) unsent = outgoing.clone();
      exchange.apply(outgoing.headers);
    }
    return send(outgoing, hop ? { ...extras, redirect: 'manual' } : (extras as RequestInit));
  };
}
