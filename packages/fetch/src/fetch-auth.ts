/**
 * `fetchAuth(provider, options)`: a function with the signature of the fetch it wraps that
 * adds our token to requests for the allowed origins and, on a 401 to a request it
 * authorized, invalidates that token and replays the request once with a fresh one. One path
 * for every input: a URL, a string, or a `Request` of any realm (the global one, undici's).
 *
 * Redirects: those of a DPoP-bound request are followed here, hop by hop through core
 * (`redirect: 'manual'` underneath, for a caller's `'follow'`): the Fetch standard drops
 * `Authorization` on a cross-origin redirect but sends a `DPoP` proof on, and a proof made
 * for the first URL is refused by the next one anyway. A Bearer request's redirects are the
 * fetch's own (it drops `Authorization` across origins; an answer from another origin is
 * not ours to refresh for), as are a caller's `'manual'` or `'error'`.
 */
import type { TokenProvider } from '@m2m-auth/core';
import {
  type AnswerLike,
  createRequestPolicy,
  type RequestPolicyOptions,
  requestAttempts,
} from '@m2m-auth/core/adapter';
import { authorizationOf, withAuthorization } from './headers-init.ts';
import { hopInit } from './redirect-hops.ts';

/** Any fetch-shaped function: the global fetch, undici's (with a `dispatcher`), a test double. */
// biome-ignore lint/suspicious/noExplicitAny: each fetch has its own RequestInfo and RequestInit types
export type FetchLike = (input: any, init?: any) => Promise<AnswerLike>;
export type FetchFunction = typeof globalThis.fetch;

export interface FetchAuthOptions<F extends FetchLike = FetchFunction>
  extends RequestPolicyOptions {
  /** The fetch to wrap (undici's, a test double). @default globalThis.fetch at call time */
  fetch?: F;
}

/** What a Request cannot hold (the Fetch standard's RequestInit members are in the copy). */
const REQUEST_FIELDS = new Set([
  'method',
  'headers',
  'body',
  'referrer',
  'referrerPolicy',
  'mode',
  'credentials',
  'cache',
  'redirect',
  'integrity',
  'keepalive',
  'signal',
  'duplex',
  'priority',
  'window',
]);

/** The init's options for the fetch itself (undici's `dispatcher`, Next's `next`, Workers' `cf`). */
function fetchOnlyOptions(init: RequestInit | undefined): object | undefined {
  if (!init) return undefined;
  const extras = Object.entries(init).filter(([key]) => !REQUEST_FIELDS.has(key));
  return extras.length === 0 ? undefined : Object.fromEntries(extras);
}

/** A `Request` of any realm: `instanceof` would miss undici's. */
function isRequest(input: unknown): input is Request {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof URL) &&
    typeof (input as Request).url === 'string' &&
    typeof (input as Request).clone === 'function'
  );
}

export function fetchAuth<F extends FetchLike = FetchFunction>(
  provider: TokenProvider,
  options: FetchAuthOptions<F> = {},
): F {
  const policy = createRequestPolicy(provider, options, { adapter: 'fetchAuth' });
  const send: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  return async function authedFetch(input: unknown, init?: RequestInit) {
    if (isRequest(input)) {
      // A copy in the Request's own realm, so the fetch that takes that Request takes it too;
      // the caller's Request keeps its headers (its body moves to the copy, as in fetch).
      const request = new (input.constructor as typeof Request)(input, init);
      return policy.send(
        {
          url: request.url,
          method: request.method,
          authorization: request.headers.get('authorization'),
          signal: request.signal,
          resendable: true, // a clone taken before sending is what a replay sends
          followRedirects: request.redirect === 'follow',
        },
        requestAttempts(request, send, fetchOnlyOptions(init)),
      );
    }
    const url = input instanceof URL ? input : String(input);
    return policy.send(
      {
        url,
        method: init?.method,
        authorization: authorizationOf(init?.headers),
        signal: init?.signal,
        body: init?.body,
        followRedirects: (init?.redirect ?? 'follow') === 'follow',
      },
      (exchange, _n, hop) => {
        if (!exchange) return send(input, init);
        if (hop) return send(hop.count === 0 ? input : hop.url.href, hopInit(init, hop, exchange));
        return send(input, { ...init, headers: withAuthorization(init?.headers, exchange) });
      },
    );
  } as F;
}
