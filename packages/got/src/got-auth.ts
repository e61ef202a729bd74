/**
 * `gotAuth(provider, options)`: options for `got.extend()` whose hooks begin each attempt
 * with core (`beforeRequest`, which got runs again on its retries, redirects and our replay),
 * keep the token off cross-origin redirects (`beforeRedirect`), report each answer and, when
 * core has a replay ready, send it with got's documented `retryWithMergedOptions`
 * (`afterResponse`). got makes new Options for every attempt but carries `context` over
 * (retries, redirects, our replay; not pagination's pages, which are requests of their own),
 * so the attempt's exchange rides there, under a symbol.
 */
import { isM2MAuthError, type TokenProvider } from '@m2m-auth/core';
import {
  createRequestPolicy,
  type Exchange,
  type RequestPolicyOptions,
  recordHeaders,
  whenReady,
} from '@m2m-auth/core/adapter';
import type {
  AfterResponseHook,
  BeforeErrorHook,
  BeforeRedirectHook,
  BeforeRequestHook,
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

/**
 * What `gotAuth()` returns: hooks only, so `got.extend(..., gotAuth())` keeps the instance's
 * response types (a wide `ExtendOptions` would make every body `unknown`).
 */
export interface GotAuthHooks {
  hooks: {
    beforeRequest: BeforeRequestHook[];
    beforeRedirect: BeforeRedirectHook[];
    afterResponse: AfterResponseHook[];
    beforeError: BeforeErrorHook[];
  };
}

const EXCHANGE = Symbol('m2m-auth exchange');
interface Carrier {
  [EXCHANGE]?: Exchange | undefined;
}
const carrier = (options: { context: Record<string, unknown> }) => options.context as Carrier;

function settings(options: { context: Record<string, unknown> }): GotAuthRequestOptions {
  return (options.context['m2mAuth'] as GotAuthRequestOptions | undefined) ?? {};
}

/**
 * got turns a `FormData` body into a stream before sending it: got 16 makes it again on a
 * retry (`_reserializeFormDataBody`), got 15 cannot. got has no version export, so this looks
 * for that method. Every other body is core's to judge.
 */
function clientCanResend(body: unknown, request: object): boolean | undefined {
  const got = request as {
    _nativeFormDataBody?: { body?: unknown };
    _reserializeFormDataBody?: unknown;
  };
  if (body === undefined || got._nativeFormDataBody?.body !== body) return undefined;
  return typeof got._reserializeFormDataBody === 'function';
}

export function gotAuth(provider: TokenProvider, options: GotAuthOptions = {}): GotAuthHooks {
  const policy = createRequestPolicy(provider, options, {
    baseUrl: options.prefixUrl,
    adapter: 'gotAuth',
  });

  const attach = (request: Parameters<BeforeRequestHook>[0], exchange: Exchange | undefined) => {
    carrier(request)[EXCHANGE] = exchange;
    exchange?.apply(recordHeaders(request.headers));
  };

  // Not `async`: with a cached token the exchange comes at once, and got awaits what a hook
  // returns either way.
  const beforeRequest: BeforeRequestHook = (request) => {
    const { skip, scope } = settings(request);
    if (skip || !request.url) return;
    const begun = policy.begin(
      {
        url: request.url,
        method: request.method,
        authorization: request.headers['authorization'],
        scope,
        signal: request.signal ?? undefined,
        body: request.body,
      },
      carrier(request)[EXCHANGE],
    );
    return whenReady(begun, (exchange) => attach(request, exchange));
  };

  const beforeRedirect: BeforeRedirectHook = (next, response) => {
    if (next.url)
      carrier(next)[EXCHANGE]?.redirect(response.url, next.url, recordHeaders(next.headers));
  };

  const afterResponse: AfterResponseHook = (response, retryWithMergedOptions) => {
    const answer = carrier(response.request.options)[EXCHANGE]?.answer(
      response.statusCode,
      (name) => response.headers[name] as string | undefined,
      clientCanResend(response.request.options.body, response.request),
    );
    if (!answer) return response;
    // beforeRequest puts the replay's headers on; our hooks stay, to read the replay's answer.
    return answer.then((ready) =>
      ready ? retryWithMergedOptions({ preserveHooks: true }) : response,
    );
  };

  // got wraps an error thrown in a hook in a RequestError; a token error (wrong credentials,
  // unreachable token endpoint) surfaces as the core's typed error, as in every adapter.
  // got's own errors carry the request options, our token included: masked.
  const beforeError: BeforeErrorHook = (error) =>
    isM2MAuthError(error.cause) ? error.cause : policy.scrub(error);

  return {
    hooks: {
      beforeRequest: [beforeRequest],
      beforeRedirect: [beforeRedirect],
      afterResponse: [afterResponse],
      beforeError: [beforeError],
    },
  };
}
