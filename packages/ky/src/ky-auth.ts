/**
 * `kyAuth(provider, options)`: options for `ky.create()`/`extend()`. A `beforeRequest` hook
 * adds our bearer token (and reads per-request `context`); ky's documented `fetch` option
 * wraps the transport so that a 401 to a request we authorized invalidates that token and
 * is replayed once, inside the one fetch call ky makes. No `afterResponse` hook: ky clones
 * every response for each such hook, which costs a quarter of the throughput over real
 * HTTP (bench/RESULTS.md), and no `ky.retry()`, which spends ky's retry budget and throws
 * with `retry: 0`. Works with ky 2 (one state argument) and ky 1 (positional arguments).
 */
import {
  type Authorization,
  createRequestPolicy,
  isM2MAuthError,
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

/** ky 2 passes one state object, ky 1 `(request, options)`. */
function hookState(args: HookArgs): { request: Request; options: KyOptionsLike } {
  if (args[0] instanceof Request) return { request: args[0], options: args[1] as KyOptionsLike };
  return args[0] as { request: Request; options: KyOptionsLike };
}

const MAX_REMEMBERED_HEADERS = 256;

export interface KyAuthHooks {
  hooks: {
    beforeRequest: Array<(...args: HookArgs) => Promise<void>>;
    beforeRetry: Array<(state: { error: unknown }) => void>;
    // One hook for ky 1 `(error: HTTPError) => HTTPError` and ky 2 `(state) => Error`.
    // biome-ignore lint/suspicious/noExplicitAny: no single precise type fits both majors
    beforeError: Array<(...args: any[]) => any>;
  };
  fetch: FetchFunction;
}

/**
 * ky 1 retries any error, including a token error thrown by our `beforeRequest` (wrong
 * credentials, an unreachable token endpoint), and core has already retried what deserves it.
 * Throwing from `beforeRetry` ends ky's retries there. ky 2 retries only network errors and
 * never runs this for ours.
 */
function stopRetryingTokenErrors({ error }: { error: unknown }): void {
  if (isM2MAuthError(error)) throw error;
}

export function kyAuth(provider: TokenProvider, options: KyAuthOptions = {}): KyAuthHooks {
  const policy = createRequestPolicy(provider, options, {
    baseUrl: options.baseUrl,
    adapter: 'kyAuth',
  });
  const send: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // What we attached, found by header value: ky may hand fetch a clone of the request.
  const issued = new Map<string, Authorization>();
  // DPoP proofs already sent (bounded like `issued`).
  const spent = new Set<string>();
  // Requests whose body is a stream the caller passed: sent once, never cloned or replayed.
  const oneShot = new WeakSet<Request>();

  // A DPoP request is found by its proof (each is made for one request); a Bearer one by header.
  const usesDpop = provider.dpop !== undefined;
  const remember = (auth: Authorization) => {
    issued.set(auth.dpop ?? auth.header, auth);
    if (issued.size > MAX_REMEMBERED_HEADERS) issued.delete(issued.keys().next().value as string);
    if (spent.size > MAX_REMEMBERED_HEADERS) spent.delete(spent.values().next().value as string);
  };

  async function beforeRequest(...args: HookArgs): Promise<void> {
    const { request, options: ky } = hookState(args);
    const settings = ky.context?.['m2mAuth'] as KyAuthRequestOptions | undefined;
    if (settings?.skip) return;
    const auth = await policy.authorize({
      url: request.url,
      method: request.method,
      hasAuthorization: request.headers.has('authorization'),
      scope: settings?.scope,
      signal: request.signal,
    });
    if (!auth) return;
    request.headers.set('authorization', auth.header);
    if (auth.dpop) request.headers.set('dpop', auth.dpop);
    remember(auth);
    if (ky.body instanceof ReadableStream) oneShot.add(request);
  }

  async function authedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const header =
      input instanceof Request
        ? ((usesDpop ? input.headers.get('dpop') : null) ?? input.headers.get('authorization'))
        : null;
    let sent = header ? issued.get(header) : undefined;
    if (!(input instanceof Request) || !sent) return send(input, init);
    // ky sends the same Request again on its retries: a DPoP proof is single-use, so each
    // further send gets a new one.
    if (sent.dpop && spent.has(sent.dpop)) {
      sent = await policy.renewProof(sent);
      input.headers.set('dpop', sent.dpop as string);
      remember(sent);
    }
    if (sent.dpop) spent.add(sent.dpop);
    // The copy a replay would send: a body is teed before it is read, unless it is one-shot.
    const spare = input.body === null ? input : oneShot.has(input) ? undefined : input.clone();
    const response = await send(input, init);
    const decision = {
      status: response.status,
      sent,
      replayed: false,
      signal: input.signal,
      ...(sent.dpop ? challenge(sent, response) : {}),
    };
    if (!spare || !policy.shouldReplay(decision)) return response;
    const fresh = await policy.replayAuthorization(decision);
    if (!fresh) return response;
    remember(fresh);
    await response.body?.cancel();
    const headers = new Headers(spare.headers);
    headers.set('authorization', fresh.header);
    if (fresh.dpop) headers.set('dpop', fresh.dpop);
    const replay = new Request(spare, {
      headers,
      ...(spare.body ? { duplex: 'half' } : {}),
    } as RequestInit);
    const answer = await send(replay, init);
    if (fresh.dpop) challenge(fresh, answer);
    return answer;
  }

  /** A DPoP request's answer, read by core. */
  function challenge(auth: Authorization, response: Response) {
    return policy.dpopAnswer(auth, response.status, (name) => response.headers.get(name));
  }

  // ky's HTTPError carries the Request, our token in its headers: masked. ky 2 passes a
  // state object and keeps what the hook returns; ky 1 passes the error and needs it back.
  function maskTokens(...args: HookArgs): Error {
    const error = args[0] instanceof Error ? args[0] : (args[0] as { error: Error }).error;
    return policy.scrubError(error);
  }

  return {
    hooks: {
      beforeRequest: [beforeRequest],
      beforeRetry: [stopRetryingTokenErrors],
      beforeError: [maskTokens],
    },
    fetch: authedFetch,
  };
}
