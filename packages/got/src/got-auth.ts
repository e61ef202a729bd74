/**
 * `gotAuth(provider, options)`: options for `got.extend()` whose hooks add our bearer token
 * (`beforeRequest`, which got runs again on retries and redirects, so the origin decision is
 * made every time), keep it off cross-origin redirects (`beforeRedirect`), and on a 401 to a
 * request we authorized invalidate that token and replay once with got's documented
 * `retryWithMergedOptions` (`afterResponse`).
 */
import {
  type Authorization,
  createRequestPolicy,
  isM2MAuthError,
  type RequestPolicyOptions,
  type TokenProvider,
} from '@m2m-auth/core';
import type {
  AfterResponseHook,
  BeforeErrorHook,
  BeforeRedirectHook,
  BeforeRequestHook,
  ExtendOptions,
} from 'got';

/** Per-request settings, as `context: { m2mAuth: { ... } }` on any got call. */
export interface GotAuthRequestOptions {
  /** Send this request without our token. @default false */
  skip?: boolean;
  /** Use `provider.forScope(scope)` for this request. */
  scope?: string | readonly string[];
}

export interface GotAuthOptions extends RequestPolicyOptions {
  /**
   * The client's `prefixUrl`, when the token should go to its origin and you give no
   * `origins` (got.extend() options are merged later, so the adapter cannot see it).
   */
  prefixUrl?: string | URL;
}

const REPLAYED = 'm2mAuthReplayed';
const SENT = Symbol('m2m-auth sent');
const CROSSED = Symbol('m2m-auth crossed');
interface Tagged {
  [SENT]?: Authorization;
  [CROSSED]?: boolean;
}

function settings(options: { context: Record<string, unknown> }): GotAuthRequestOptions {
  return (options.context['m2mAuth'] as GotAuthRequestOptions | undefined) ?? {};
}

/**
 * Whether got can send this body again. Streams cannot. A FormData body is serialised by got
 * into a stream it remembers: got 16 re-serialises that on a retry, got 15 cannot. got has
 * no version export, so this looks for the request method that does it.
 */
function replayable(body: unknown, request: object): boolean {
  const got = request as {
    _nativeFormDataBody?: { body?: unknown };
    _reserializeFormDataBody?: unknown;
  };
  if (body !== undefined && got._nativeFormDataBody?.body === body) {
    return typeof got._reserializeFormDataBody === 'function';
  }
  return (
    typeof (body as { pipe?: unknown } | undefined)?.pipe !== 'function' &&
    !(body instanceof ReadableStream)
  );
}

export function gotAuth(provider: TokenProvider, options: GotAuthOptions = {}): ExtendOptions {
  const policy = createRequestPolicy(provider, options, {
    baseUrl: options.prefixUrl,
    adapter: 'gotAuth',
  });
  // What we put on each request (got keeps one Options object across its retries), and
  // whether it left its origin through a redirect (then it never gets our token again). Kept
  // on the Options object under symbols: a WeakMap entry per request costs the garbage
  // collector more than the rest of the hook (bench/RESULTS.md, table 4).
  const sent = {
    get: (request: object) => (request as Tagged)[SENT],
    set: (request: object, auth: Authorization) => {
      (request as Tagged)[SENT] = auth;
    },
  };
  const crossed = {
    has: (request: object) => (request as Tagged)[CROSSED] === true,
    add: (request: object) => {
      (request as Tagged)[CROSSED] = true;
    },
  };

  const beforeRequest: BeforeRequestHook = async (request) => {
    const current = request.headers['authorization'];
    const ours = sent.get(request);
    // Our header from an earlier attempt (or its masked form, on options reused after an
    // error) is renewed, not taken for the caller's own.
    if ((ours && current === ours.header) || policy.isMasked(current as string | undefined)) {
      delete request.headers['authorization'];
    }
    const { skip, scope } = settings(request);
    if (skip || crossed.has(request) || !request.url) return;
    const auth = await policy.authorize({
      url: request.url,
      method: request.method,
      hasAuthorization: request.headers['authorization'] !== undefined,
      scope,
      signal: request.signal ?? undefined,
    });
    if (!auth) return;
    request.headers['authorization'] = auth.header;
    if (auth.dpop) request.headers['dpop'] = auth.dpop;
    else if (ours) delete request.headers['dpop'];
    sent.set(request, auth);
  };

  const beforeRedirect: BeforeRedirectHook = (next, response) => {
    const from = response.url;
    if (!next.url || policy.keepsTokenOnRedirect(from, next.url)) return;
    crossed.add(next);
    const ours = sent.get(next);
    if (ours && next.headers['authorization'] === ours.header) {
      delete next.headers['authorization'];
      delete next.headers['dpop'];
    }
  };

  const afterResponse: AfterResponseHook = async (response, retryWithMergedOptions) => {
    const request = response.request.options;
    const auth = sent.get(request);
    const decision = {
      status: response.statusCode,
      sent: auth,
      replayed: request.context[REPLAYED] === true,
      signal: request.signal ?? undefined,
      ...(auth?.dpop ? challenge(auth, response.statusCode, response.headers) : {}),
    };
    if (!policy.shouldReplay(decision) || !replayable(request.body, response.request))
      return response;
    const fresh = await policy.replayAuthorization(decision);
    if (!fresh) return response;
    sent.set(request, fresh);
    return retryWithMergedOptions({
      headers: { authorization: fresh.header, ...(fresh.dpop ? { dpop: fresh.dpop } : {}) },
      context: { [REPLAYED]: true },
    });
  };

  /** A DPoP request's answer, read by core. */
  const challenge = (
    auth: Authorization,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ) => policy.dpopAnswer(auth, status, (name) => headers[name] as string | undefined);

  // got wraps an error thrown in a hook in a RequestError; a token error (wrong credentials,
  // unreachable token endpoint) surfaces as the core's typed error, as in every adapter.
  // got's own errors carry the request options, our token included: masked.
  const beforeError: BeforeErrorHook = (error) =>
    isM2MAuthError(error.cause) ? error.cause : policy.scrubError(error);

  return {
    hooks: {
      beforeRequest: [beforeRequest],
      beforeRedirect: [beforeRedirect],
      afterResponse: [afterResponse],
      beforeError: [beforeError],
    },
  };
}
