/**
 * `fetchAuth(provider, options)`: a function with fetch's exact signature that adds our
 * bearer token to requests for the allowed origins and, on a 401 to a request it
 * authorized, invalidates that token and replays the request once with a fresh one.
 *
 * Redirects are left to the underlying fetch: the Fetch standard (and Node's undici) drops
 * `Authorization` on a cross-origin redirect, and the conformance suite checks it.
 */
import {
  type Authorization,
  createRequestPolicy,
  type RequestPolicyOptions,
  type TokenProvider,
} from '@m2m-auth/core';
import { hasAuthorization, setOn, withAuthorization } from './headers-init.ts';
import { isOneShotBody } from './one-shot-body.ts';

export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface FetchAuthOptions extends RequestPolicyOptions {
  /** The fetch to wrap (undici with an Agent, a test double). @default globalThis.fetch at call time */
  fetch?: FetchFunction;
}

export function fetchAuth(provider: TokenProvider, options: FetchAuthOptions = {}): FetchFunction {
  const policy = createRequestPolicy(provider, options, { adapter: 'fetchAuth' });
  const send: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  return async function authedFetch(input, init) {
    if (input instanceof Request) return sendRequest(new Request(input, init));
    const url = input instanceof URL ? input : String(input);
    const signal = init?.signal ?? undefined;
    const sent = await policy.authorize({
      url,
      method: init?.method,
      hasAuthorization: hasAuthorization(init?.headers),
      signal,
    });
    if (!sent) return send(input, init);
    const attempt = (auth: Authorization) =>
      send(input, { ...init, headers: withAuthorization(init?.headers, auth) });
    const response = await attempt(sent);
    const decision = {
      status: response.status,
      sent,
      replayed: false,
      signal,
      ...(sent.dpop ? challenge(sent, response) : undefined),
    };
    // A one-shot stream is gone once sent: its 401 goes back to the caller as it is.
    if (!policy.shouldReplay(decision) || isOneShotBody(init?.body)) return response;
    const replay = await policy.replayAuthorization(decision);
    if (!replay) return response;
    await response.body?.cancel();
    const replayed = await attempt(replay);
    if (replay.dpop) challenge(replay, replayed);
    return replayed;
  };

  /** A DPoP request's answer, read by core (called for DPoP requests only). */
  function challenge(sent: Authorization, response: Response) {
    return policy.dpopAnswer(sent, response.status, (name) => response.headers.get(name));
  }

  /** A `Request` input: a clone taken before sending is what a replay sends. */
  async function sendRequest(request: Request): Promise<Response> {
    const sent = await policy.authorize({
      url: request.url,
      method: request.method,
      hasAuthorization: request.headers.has('authorization'),
      signal: request.signal,
    });
    if (!sent) return send(request);
    const spare = request.clone();
    setOn(request.headers, sent);
    const response = await send(request);
    const decision = {
      status: response.status,
      sent,
      replayed: false,
      signal: request.signal,
      ...(sent.dpop ? challenge(sent, response) : undefined),
    };
    if (!policy.shouldReplay(decision)) return response;
    const replay = await policy.replayAuthorization(decision);
    if (!replay) return response;
    await response.body?.cancel();
    setOn(spare.headers, replay);
    const replayed = await send(spare);
    if (replay.dpop) challenge(replay, replayed);
    return replayed;
  }
}
