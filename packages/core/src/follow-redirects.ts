/**
 * The redirects of a request core authorizes, followed hop by hop for a fetch-shaped
 * transport that leaves them to us (`redirect: 'manual'`): each hop is an attempt of the
 * same logical request (one refresh in all, a 401 replays that hop), its headers decided by
 * the exchange (ours off on any change of origin, a new proof on the same one), the rest by
 * the Fetch standard (`redirect-hop.ts`). fetch would drop `Authorization` itself but send
 * our `DPoP` proof on to any origin.
 */
import type { AnswerLike, Exchange } from './exchange.ts';
import { nextHop, type RedirectHop } from './redirect-hop.ts';

/** Sends one attempt of one hop: `hop.count === 0` is the request as the caller gave it. */
export type HopAttempt<R> = (exchange: Exchange, n: 0 | 1, hop: RedirectHop) => Promise<R>;

/**
 * A followed answer says so as fetch's would: `redirected` is set on it (an own property, as
 * the transport made the last hop's `Response` alone; its `url` is already the last URL).
 */
function markRedirected<R extends AnswerLike>(response: R): R {
  if (response.redirected) return response;
  try {
    Object.defineProperty(response, 'redirected', { value: true, configurable: true });
  } catch {
    // A frozen answer (a test double) keeps what it says.
  }
  return response;
}

export async function followRedirects<R extends AnswerLike>(
  exchange: Exchange,
  first: RedirectHop,
  resendable: boolean,
  attempt: HopAttempt<R>,
): Promise<R> {
  let current = exchange;
  let hop = first;
  let canResend = resendable;
  for (;;) {
    const sending = current;
    const at = hop;
    const response = await sending.send((n) => attempt(sending, n, at));
    let next: RedirectHop | undefined;
    try {
      next = nextHop(at, response.status, response.headers.get('location'), canResend);
    } catch (error) {
      await response.body?.cancel().catch(() => undefined);
      throw error;
    }
    if (!next) return at.count === 0 ? response : markRedirected(response);
    await response.body?.cancel().catch(() => undefined);
    if (!next.body) canResend = true;
    current = await sending.hop({ method: next.method, url: next.url }, canResend);
    hop = next;
  }
}
