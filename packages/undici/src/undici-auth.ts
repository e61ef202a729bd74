/**
 * `undiciAuth(provider, options)`: an undici interceptor (`dispatcher.compose(...)`) that puts
 * our token on requests to the allowed origins and, on a 401 to one it authorized, refreshes
 * once and replays once with a fresh token, all decided by core's exchange. On the global
 * dispatcher it serves Node's own fetch and every library on it; on an `Agent`, undici's
 * `fetch`, `request`, `stream` and `pipeline`. undici's retry and redirect handlers dispatch
 * the same handler object again: that links their attempts to the same logical request.
 */
import type { TokenProvider } from '@m2m-auth/core';
import {
  createRequestPolicy,
  type Exchange,
  isOwnRequest,
  isPromise,
  isStreamed,
  type RequestPolicyOptions,
  recordHeaders,
} from '@m2m-auth/core/adapter';
import { AuthorizedCall, type CallLinks } from './authorized-call.ts';
import { headerRecord } from './dispatch-headers.ts';
import type { Dispatch, DispatchOptions, Handler, LegacyHandler } from './handler.ts';

export interface UndiciAuthOptions extends RequestPolicyOptions {
  /**
   * How much of a streamed body (every body Node's fetch sends, a web stream, a generator) is
   * kept so a 401 can be replayed; a longer one gets its 401 back instead.
   * @default 1048576 (1 MiB)
   */
  maxReplayBodyBytes?: number;
}

/** What `compose()` takes: `(dispatch) => (options, handler) => boolean`. */
export type UndiciInterceptor = (dispatch: Dispatch, origin?: string | URL | null) => Dispatch;

export function undiciAuth(
  provider: TokenProvider,
  options: UndiciAuthOptions = {},
): UndiciInterceptor {
  const policy = createRequestPolicy(provider, options, { adapter: 'undiciAuth' });
  const maxBytes = options.maxReplayBodyBytes ?? 1024 * 1024;
  // The last attempt, on the handler object: undici's retry and redirect handlers send
  // themselves again (a WeakMap entry per request costs the garbage collector more).
  const LAST = Symbol('m2m-auth attempt');
  type Carrier = { [LAST]?: { exchange: Exchange; href: string } };
  let lastOrigin: unknown;
  let lastBase = '';
  // The last href, by its origin and path: a new string per request would make core's
  // verdict cache compare (and first flatten) the text; the same string answers by identity.
  let lastPath: string | undefined;
  let lastHref = '';

  /**
   * The request's URL from its own origin (a path never moves it to another host), as an
   * href: a path that starts with `/` is appended to the origin as it is, since parsing a URL
   * per request costs more than the rest of a request with a cached token.
   */
  function hrefOf(dispatch: DispatchOptions, bound: unknown): string | undefined {
    const origin = dispatch.origin ?? bound;
    if (!origin || dispatch.upgrade || dispatch.method === 'CONNECT') return undefined;
    try {
      const { path } = dispatch;
      if (origin === lastOrigin && path === lastPath) return lastHref;
      const base = origin === lastOrigin ? lastBase : new URL(String(origin)).origin;
      const href = path.startsWith('/') ? `${base}${path}` : new URL(`${base}${path}`).href;
      // All four together, once the URL is whole: a throw above leaves the last ones as they were.
      lastOrigin = origin;
      lastBase = base;
      lastPath = path;
      lastHref = href;
      return href;
    } catch {
      return undefined;
    }
  }

  const remember = (call: AuthorizedCall, exchange: Exchange | undefined) => {
    if (exchange && Object.isExtensible(call.handler))
      (call.handler as Carrier)[LAST] = { exchange, href: call.request.url };
    return exchange;
  };

  return (dispatch, bound) => {
    const links: CallLinks = {
      dispatch,
      next: async (call, previous) => remember(call, await policy.begin(call.request, previous)),
      remember,
      scrub: policy.scrub,
      maxBytes,
    };
    return function undiciAuthDispatch(opts: DispatchOptions, handler: Handler & LegacyHandler) {
      const href = hrefOf(opts, bound);
      // Core's own token request must not wait for a token.
      if (!href || isOwnRequest(href)) return dispatch(opts, handler);
      const headers = headerRecord(opts.headers);
      const authorization = recordHeaders(headers).get('authorization');
      const seen = (handler as Carrier)[LAST];
      // Not ours (another origin, the caller's own Authorization): passed on, with no call.
      if (!seen && !policy.concerns(href, authorization)) return dispatch(opts, handler);
      const request = {
        url: href,
        method: opts.method,
        authorization,
        body: opts.body,
        resendable: isStreamed(opts.body) || undefined,
        signal: opts.signal instanceof AbortSignal ? opts.signal : undefined,
      };
      const call = new AuthorizedCall(handler, opts, headers, request, links);
      const first = !seen
        ? policy.begin(request)
        : seen.href === href
          ? policy.begin(request, seen.exchange) // a retry of the same request
          : seen.exchange.hop({ method: opts.method ?? 'GET', url: href }); // a redirect hop
      if (isPromise(first)) {
        first.then((exchange) => call.start(exchange)).catch((error: unknown) => call.fail(error));
        return true;
      }
      // A cached token: sent at once, as without us.
      try {
        return call.start(first);
      } catch (error) {
        call.fail(error);
        return true;
      }
    };
  };
}
