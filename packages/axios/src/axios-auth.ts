/**
 * `axiosAuth(instance, provider, options)`: a request interceptor that begins each attempt
 * with core (our token on the config), and a response interceptor that reports the answer
 * and sends the replay core asks for through the same instance. Returns `eject()`.
 *
 * The attempt's exchange rides on the config under a string key: axios copies it into every
 * config made from this one (axios-retry's re-sends, our replay), so each of them is known
 * as the same logical request, whatever the order the interceptors were installed in.
 *
 * Redirects are followed by axios (follow-redirects in Node), with our guard taking our
 * headers off when a redirect leaves the origin (redirect-guard.ts); those of a DPoP-bound
 * request are followed through core instead, so each hop gets a proof of its own
 * (dpop-redirects.ts).
 */
import type { TokenProvider } from '@m2m-auth/core';
import {
  createRequestPolicy,
  type Exchange,
  type RequestPolicyOptions,
} from '@m2m-auth/core/adapter';
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import axios, { isAxiosError } from 'axios';
import type { CjsAxiosInstance } from './axios-cjs.cts';
import { followRedirect, takeHopExchange, takeRedirects } from './dpop-redirects.ts';
import { plainProxyCheck } from './proxy-guard.ts';
import { guardRedirects } from './redirect-guard.ts';
import type { AxiosAuthRequestOptions } from './request-options.ts';

export type { AxiosAuthRequestOptions };

declare module 'axios' {
  interface AxiosRequestConfig {
    /** `@m2m-auth/axios` per-request settings: `{ skip: true }` or `{ scope: 'tenant/acme' }`. */
    m2mAuth?: AxiosAuthRequestOptions;
  }
}

export type AxiosAuthOptions = RequestPolicyOptions;

/**
 * An axios instance, from either of axios' type entries: its ESM types (`import` in an ES
 * module) or its CommonJS types (`require`, or `import` in a `.cts` file). The two declare
 * the same runtime object, but TypeScript sees two unrelated `AxiosInstance` types.
 */
export type AnyAxiosInstance = AxiosInstance | CjsAxiosInstance;

const EXCHANGE = 'm2mAuthExchange';
type Carrier = InternalAxiosRequestConfig & { [EXCHANGE]?: Exchange | undefined };

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * Where the request goes, as far as its origin is concerned: the URL when it is absolute
 * (and absolute URLs are allowed), else `baseURL`. Cheaper than `getUri()`, which merges
 * the whole config on every request.
 */
function target(config: InternalAxiosRequestConfig): string | undefined {
  const url = config.url ?? '';
  if (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false) return url;
  return config.baseURL;
}

/** The URL axios will request (its own base + path joining), for a DPoP proof's `htu`. */
function fullUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  if (!config.baseURL || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url;
  return url ? `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : config.baseURL;
}

export function axiosAuth(
  anyInstance: AnyAxiosInstance,
  provider: TokenProvider,
  options: AxiosAuthOptions = {},
): () => void {
  const instance = anyInstance as AxiosInstance; // one runtime object, whichever types it has
  const policy = createRequestPolicy(provider, options, {
    baseUrl: instance.defaults.baseURL,
    adapter: 'axiosAuth',
  });
  const checkProxy = plainProxyCheck(axios.VERSION);

  const requestId = instance.interceptors.request.use(async (config: Carrier) => {
    const settings = config.m2mAuth;
    const url = target(config);
    // A relative URL without baseURL is not an origin we serve.
    if (settings?.skip || url === undefined) return config;
    // A hop of a redirect followed through core comes with its exchange made.
    const exchange =
      takeHopExchange(config) ??
      (await policy.begin(
        {
          url,
          method: config.method,
          proofUrl: () => fullUrl(config),
          // `auth` is the caller's own Authorization: axios sets Basic from it after the
          // interceptors, so core is shown it as the header it will be.
          authorization: config.auth ? 'Basic' : config.headers.get('authorization'),
          scope: settings?.scope,
          signal: config.signal as AbortSignal | undefined,
          body: config.data,
        },
        config[EXCHANGE],
      ));
    config[EXCHANGE] = exchange;
    if (exchange && !exchange.crossed) {
      checkProxy?.(config, fullUrl(config));
      guardRedirects(config, () => fullUrl(config), exchange);
      takeRedirects(config, exchange, () => instance.getUri(config));
    }
    exchange?.apply(config.headers);
    return config;
  });

  /** The replay's (or the next hop's) response, or `undefined` when this response stands. */
  function replay(config: Carrier | undefined, response: AxiosResponse) {
    const exchange = config?.[EXCHANGE];
    // After redirects axios followed by itself (Node: follow-redirects), from another origin.
    const request = response.request as { res?: { responseUrl?: string }; responseURL?: string };
    exchange?.answeredFrom(request?.res?.responseUrl ?? request?.responseURL);
    const answer = exchange?.answer(
      response.status,
      (name) => response.headers[name] as string | undefined,
    );
    if (answer === undefined && exchange && config) {
      return followRedirect(instance, config, response, exchange);
    }
    // The request interceptor puts the replay's headers on (the exchange rides along).
    return answer?.then((ready) => (ready ? instance.request(config as Carrier) : undefined));
  }

  const responseId = instance.interceptors.response.use(
    (response: AxiosResponse) =>
      replay(response.config, response)?.then((r) => r ?? response) ?? response,
    async (error: unknown) => {
      const replayed =
        isAxiosError(error) && error.response && (await replay(error.config, error.response));
      if (replayed) return replayed;
      throw policy.scrub(error);
    },
  );

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
