/**
 * `kyAuth(provider, options)`: options for `ky.create()`/`extend()`. `beforeRequest` (and
 * `beforeRetry`, for ky's own retries) begin each attempt with core, reading per-request
 * `context`; ky's documented `fetch` option wraps the transport so that a 401 core can fix is
 * replayed inside the one fetch call ky makes. No `afterResponse` hook: ky clones every
 * response for each such hook, which costs a quarter of the throughput over real HTTP
 * (bench/RESULTS.md), and no `ky.retry()`, which spends ky's retry budget and throws with
 * `retry: 0`. Works with ky 2 (one state argument) and ky 1 (positional arguments).
 *
 * ky leaves redirects to fetch, which drops `Authorization` on a cross-origin redirect but
 * sends a `DPoP` proof on, and sends the first URL's proof to a same-origin hop (refused). So
 * the redirects of a request we authorize are followed here, hop by hop through core, as
 * fetchAuth does (`redirect: 'manual'` underneath, for ky's default `'follow'`); a caller's
 * `redirect: 'manual'` or `'error'`, and other requests' redirects, are fetch's own.
 */
import { isM2MAuthError, type TokenProvider } from '@m2m-auth/core';
import {
  createRequestPolicy,
  type Exchange,
  type RequestPolicyOptions,
  requestAttempts,
} from '@m2m-auth/core/adapter';

/** Per-request settings, as `context: { m2mAuth: { ... } }` on any ky call. */
export interface KyAuthRequestOptions {
  /** Send this request without our token. @default false */
  skip?: boolean;
  /** Use `provider.forScope(scope)` for this request. */
  scope?: string | readonly string[];
}

type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface KyAuthOptions extends RequestPolicyOptions {
  /**
   * Your instance's `baseUrl` (ky 2) or `prefixUrl` (ky 1), when the token should go to its
   * origin and you give no `origins` (kyAuth returns options merged later, so it cannot see it).
   */
  baseUrl?: string | URL;
  /**
   * The fetch ky should use. kyAuth supplies ky's `fetch` option, so a custom fetch goes here.
   * @default globalThis.fetch at call time
   */
  fetch?: FetchFunction;
}

interface KyOptionsLike {
  context?: Record<string, unknown>;
  body?: unknown;
}
type HookArgs = [unknown, ...unknown[]];
const EXCHANGE = Symbol('m2m-auth exchange');
const CALL = Symbol('m2m-auth call');
interface Carrier {
  [EXCHANGE]?: Exchange;
  /** ky's options object for the call this Request is an attempt of. */
  [CALL]?: KyOptionsLike;
}
interface RetryState {
  request: Request;
  options: KyOptionsLike;
  error: unknown;
}

/** ky 2 passes one state object, ky 1 `(request, options)`. */
function hookState(args: HookArgs): { request: Request; options: KyOptionsLike } {
  if (args[0] instanceof Request) return { request: args[0], options: args[1] as KyOptionsLike };
  return args[0] as { request: Request; options: KyOptionsLike };
}

export interface KyAuthHooks {
  hooks: {
    beforeRequest: Array<(...args: HookArgs) => Promise<void>>;
    beforeRetry: Array<(state: RetryState) => Promise<void>>;
    // One hook for ky 1 `(error: HTTPError) => HTTPError` and ky 2 `(state) => Error`.
    // biome-ignore lint/suspicious/noExplicitAny: no single precise type fits both majors
    beforeError: Array<(...args: any[]) => any>;
  };
  fetch: FetchFunction;
}

export function kyAuth(provider: TokenProvider, options: KyAuthOptions = {}): KyAuthHooks {
  const policy = createRequestPolicy(provider, options, {
    baseUrl: options.baseUrl,
    adapter: 'kyAuth',
  });
  const send: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // Each logical request's latest exchange, by ky's options object for that call (the same
  // object in beforeRequest and beforeRetry; ky's clones of the Request are not).
  const latest = new WeakMap<object, Exchange>();

  async function begin(request: Request, ky: KyOptionsLike): Promise<void> {
    // ky 1 runs beforeRetry, then beforeRequest, on the same Request.
    if ((request as Carrier)[EXCHANGE]) return;
    const settings = ky.context?.['m2mAuth'] as KyAuthRequestOptions | undefined;
    if (settings?.skip) return;
    const exchange = await policy.begin(
      {
        url: request.url,
        method: request.method,
        authorization: request.headers.get('authorization'),
        scope: settings?.scope,
        signal: request.signal,
        body: ky.body,
      },
      latest.get(ky),
    );
    if (!exchange) return;
    exchange.apply(request.headers);
    (request as Carrier)[EXCHANGE] = exchange;
    (request as Carrier)[CALL] = ky;
    latest.set(ky, exchange);
  }

  async function beforeRequest(...args: HookArgs): Promise<void> {
    const { request, options: ky } = hookState(args);
    await begin(request, ky);
  }

  /**
   * ky's retry sends a clone of the first Request, still carrying the token we put there:
   * it gets the current one (and a new proof), as the same logical request. A token error
   * is not retried: ky 1 would retry any error, and core has already retried what deserves it.
   */
  async function beforeRetry({ request, options: ky, error }: RetryState): Promise<void> {
    if (isM2MAuthError(error)) throw error;
    await begin(request, ky);
  }

  async function authedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    if (!(input instanceof Request)) return send(input, init);
    let exchange = (input as Carrier)[EXCHANGE];
    // A Request our hooks never saw (ky 2 wraps it for onUploadProgress; a later hook may
    // replace it) still carries our header: renewed here rather than left unmanaged.
    if (!exchange && policy.owns(input.headers.get('authorization'))) {
      exchange = await policy.begin({
        url: input.url,
        method: input.method,
        authorization: input.headers.get('authorization'),
        signal: input.signal,
        resendable: true,
      });
    }
    if (!exchange) return send(input, init);
    const attempt = requestAttempts(input, send, init);
    const sending = exchange;
    if (!sending.followsRedirects || input.redirect !== 'follow') {
      return sending.send((n) => attempt(sending, n));
    }
    const call = (input as Carrier)[CALL];
    return policy.follow(sending, (current, n, hop) => {
      // ky's retry of this call goes on from the last attempt on our origin: a hop's refresh
      // stays spent. One that left our origin had its 3xx there: the retry is a new request.
      if (call && !current.crossed) latest.set(call, current);
      return attempt(current, n, hop);
    });
  }

  // ky's HTTPError carries the Request, our token in its headers: masked. ky 2 passes a
  // state object and keeps what the hook returns; ky 1 passes the error and needs it back.
  function maskTokens(...args: HookArgs): Error {
    const error = args[0] instanceof Error ? args[0] : (args[0] as { error: Error }).error;
    return policy.scrub(error);
  }

  return {
    hooks: {
      beforeRequest: [beforeRequest],
      beforeRetry: [beforeRetry],
      beforeError: [maskTokens],
    },
    fetch: authedFetch,
  };
}
