/**
 * The redirects of a request core authorizes, followed hop by hop for a fetch-shaped
 * transport that leaves them to us (`redirect: 'manual'`): each hop is an attempt of the
 * same logical request (one refresh in all, a 401 replays that hop), its headers decided by
 * the exchange (ours off on any change of origin, a new proof on the same one), the rest by
 * the Fetch standard (`redirect-hop.ts`). fetch would drop `Authorization` itself but send
 * our `DPoP` proof on to any origin. `followHop` is one step of it, for a client that sends
 * each hop itself (axios, whose follow-redirects could not sign a proof for a hop).
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
  try {
    Object.defineProperty(response, 'redirected', { value: true, configurable: true });
  } catch {
    // A frozen answer (a test double) keeps what it says.
  }
  return response;
}

/** The hop an answer redirects to, and the exchange that sends it. */
export interface FollowedHop {
  readonly hop: RedirectHop;
  readonly exchange: Exchange;
}

/**
 * One step of following: the hop an answer to `from` redirects to and the exchange that
 * sends it (on the first request's origin the next attempt, with a proof for the hop's URL;
 * anywhere else no token from then on), or `undefined` when the answer is no redirect to
 * follow. Throws fetch's network error where `nextHop` does. For an adapter whose client
 * sends each hop itself (axios with `maxRedirects: 0`), `max` is the client's own limit.
 */
export async function followHop(
  exchange: Exchange,
  from: RedirectHop,
  status: number,
  location: string | null | undefined,
  max?: number,
): Promise<FollowedHop | undefined> {
  const hop = nextHop(from, status, location, exchange.resendable, max);
  if (!hop) return undefined;
  return { hop, exchange: await exchange.hop({ method: hop.method, url: hop.url }) };
}

export async function followRedirects<R extends AnswerLike>(
  exchange: Exchange,
  first: RedirectHop,
  attempt: HopAttempt<R>,
): Promise<R> {
  let current = exchange;
  let hop = first;
  for (;;) {
    const sending = current;
    const at = hop;
    const response = await sending.send((n) => attempt(sending, n, at));
    let next: FollowedHop | undefined;
    try {
      next = await followHop(sending, at, response.status, response.headers.get('location'));
    } catch (error) {
      await response.body?.cancel().catch(() => undefined);
      throw error;
    }
    if (!next) return at.count === 0 ? response : markRedirected(response);
    await response.body?.cancel().catch(() => undefined);
    current = next.exchange;
    hop = next.hop;
  }
}
