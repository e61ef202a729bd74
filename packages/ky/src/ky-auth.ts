/**
 * `kyAuth(provider, options)`: hooks for `ky.create()`/`extend()`. `beforeRequest` adds our
 * bearer token; `afterResponse`, on a 401 to a request we authorized, invalidates that token
 * and replays the request once by returning the replay's `Response` (ky's documented way to
 * replace a response). It does not use `ky.retry()`, which spends ky's retry budget and
 * throws with `retry: 0`. Works with ky 2 (one state argument) and ky 1 (positional).
 */
import {
  type Authorization,
  createRequestPolicy,
  type RequestPolicyOptions,
  type TokenProvider,
} from '@m2m-auth/core';

/** Per-request settings, as `context: { m2mAuth: { ... } }` on any ky call. */
export interface KyAuthRequestOptions {
  /** Send this request without our token. @default false */
  skip?: boolean;
  /** Use `provider.forScope(scope)` for this request. */
  scope?: string | readonly string[];
}

export interface KyAuthOptions extends RequestPolicyOptions {
  /**
   * Your instance's `baseUrl` (ky 2) or `prefixUrl` (ky 1), when the token should go to its
   * origin and you give no `origins` (kyAuth returns options merged later, so it cannot see it).
   */
  baseUrl?: string | URL;
}

interface KyOptionsLike {
  retry?: number | { limit?: number };
  context?: Record<string, unknown>;
  body?: unknown;
  fetch?: (input: Request) => Promise<Response>;
}
type HookArgs = [unknown, ...unknown[]];
interface HookState {
  request: Request;
  options: KyOptionsLike;
  response?: Response;
}

/** ky 2 passes one state object, ky 1 `(request, options, response)`. */
function state(args: HookArgs): HookState {
  if (args[0] instanceof Request) {
    return { request: args[0], options: args[1] as KyOptionsLike, response: args[2] as Response };
  }
  return args[0] as HookState;
}

function retryLimit(options: KyOptionsLike): number {
  return typeof options.retry === 'number' ? options.retry : (options.retry?.limit ?? 2);
}

const MAX_REMEMBERED_HEADERS = 256;

export function kyAuth(
  provider: TokenProvider,
  options: KyAuthOptions = {},
): {
  hooks: {
    beforeRequest: Array<(...args: HookArgs) => Promise<void>>;
    afterResponse: Array<(...args: HookArgs) => Promise<Response | undefined>>;
  };
} {
  const policy = createRequestPolicy(provider, options, {
    baseUrl: options.baseUrl,
    adapter: 'kyAuth',
  });
  // ky hands afterResponse a clone of the request it sent, so what we attached is found by
  // its header value.
  const issued = new Map<string, Authorization>();
  // With `retry: 0` ky keeps no unread copy of the body; we keep one for the replay.
  const spares = new WeakMap<Request, Request>();
  const replays = new WeakSet<Request>();

  const remember = (auth: Authorization) => {
    issued.set(auth.header, auth);
    if (issued.size > MAX_REMEMBERED_HEADERS) issued.delete(issued.keys().next().value as string);
  };

  async function beforeRequest(...args: HookArgs): Promise<void> {
    const { request, options: ky } = state(args);
    const settings = ky.context?.['m2mAuth'] as KyAuthRequestOptions | undefined;
    if (settings?.skip) return;
    const auth = await policy.authorize({
      url: request.url,
      hasAuthorization: request.headers.has('authorization'),
      scope: settings?.scope,
      signal: request.signal,
    });
    if (!auth) return;
    request.headers.set('authorization', auth.header);
    remember(auth);
    if (request.body && retryLimit(ky) === 0 && !(ky.body instanceof ReadableStream)) {
      spares.set(request, request.clone());
    }
  }

  async function afterResponse(...args: HookArgs): Promise<Response | undefined> {
    const { request, options: ky, response } = state(args);
    if (!response) return undefined;
    const header = request.headers.get('authorization');
    const decision = {
      status: response.status,
      sent: header ? issued.get(header) : undefined,
      replayed: replays.has(request),
      signal: request.signal,
    };
    if (!policy.shouldReplay(decision)) return undefined;
    // A body already read and not kept (a stream) cannot be sent again: the 401 stands.
    const source = request.bodyUsed ? spares.get(request) : request;
    if (!source) return undefined;
    const fresh = await policy.replayAuthorization(decision);
    if (!fresh) return undefined;
    remember(fresh);
    const headers = new Headers(source.headers);
    headers.set('authorization', fresh.header);
    const replay = new Request(source, {
      headers,
      ...(source.body ? { duplex: 'half' } : {}),
    } as RequestInit);
    replays.add(replay);
    return (ky.fetch ?? globalThis.fetch)(replay);
  }

  return { hooks: { beforeRequest: [beforeRequest], afterResponse: [afterResponse] } };
}
