/**
 * `axiosAuth(instance, provider, options)`: a request interceptor that adds our bearer
 * token, and a response interceptor that, on a 401 to a request it authorized, invalidates
 * that token and replays the request once. Returns `eject()`, which removes both.
 *
 * Redirects are followed by axios (follow-redirects in Node), which drops `Authorization`
 * when a redirect leaves the host; the conformance suite checks it against real servers.
 */
import {
  type Authorization,
  createRequestPolicy,
  type RequestPolicy,
  type RequestPolicyOptions,
  type TokenProvider,
} from '@m2m-auth/core';
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { isAxiosError } from 'axios';
import { isOneShotData } from './one-shot-data.ts';

/** Per-request settings, on any axios request config as `m2mAuth`. */
export interface AxiosAuthRequestOptions {
  /** Send this request without our token. @default false */
  skip?: boolean;
  /** Use `provider.forScope(scope)` for this request. */
  scope?: string | readonly string[];
  /** Set by the adapter on its own replay; not for users. */
  replayed?: boolean;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** `@m2m-auth/axios` per-request settings: `{ skip: true }` or `{ scope: 'tenant/acme' }`. */
    m2mAuth?: AxiosAuthRequestOptions;
  }
}

export type AxiosAuthOptions = RequestPolicyOptions;

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

export function axiosAuth(
  instance: AxiosInstance,
  provider: TokenProvider,
  options: AxiosAuthOptions = {},
): () => void {
  const policy: RequestPolicy = createRequestPolicy(provider, options, {
    baseUrl: instance.defaults.baseURL,
    adapter: 'axiosAuth',
  });
  // What we put on each request, so a 401 invalidates exactly that token.
  const sent = new WeakMap<InternalAxiosRequestConfig, Authorization>();

  const requestId = instance.interceptors.request.use(async (config) => {
    const settings = config.m2mAuth;
    if (settings?.skip || settings?.replayed) return config;
    const current = config.headers.get('authorization');
    // A retry library re-running this config still carries the header we set (or, after an
    // error, its masked form): ours to renew.
    const ours =
      typeof current === 'string' &&
      (sent.get(config)?.header === current || policy.isMasked(current));
    const url = target(config);
    if (url === undefined) return config; // a relative URL without baseURL: not an origin we serve
    const auth = await policy.authorize({
      url,
      hasAuthorization: Boolean(current) && !ours,
      scope: settings?.scope,
      signal: config.signal as AbortSignal | undefined,
    });
    if (auth) {
      config.headers.set('Authorization', auth.header);
      sent.set(config, auth);
    }
    return config;
  });

  /** The replay's response, or `undefined` when this response is not ours to fix. */
  function replay(config: InternalAxiosRequestConfig | undefined, status: number) {
    if (!config) return undefined;
    const decision = {
      status,
      sent: sent.get(config),
      replayed: Boolean(config.m2mAuth?.replayed),
      signal: config.signal as AbortSignal | undefined,
    };
    if (!policy.shouldReplay(decision) || isOneShotData(config.data)) return undefined;
    return policy.replayAuthorization(decision).then((auth) => {
      if (!auth) return undefined;
      config.headers.set('Authorization', auth.header);
      return instance.request({ ...config, m2mAuth: { ...config.m2mAuth, replayed: true } });
    });
  }

  const responseId = instance.interceptors.response.use(
    (response: AxiosResponse) =>
      replay(response.config, response.status)?.then((r) => r ?? response) ?? response,
    async (error: unknown) => {
      const replayed =
        isAxiosError(error) &&
        error.response &&
        (await replay(error.config, error.response.status));
      if (replayed) return replayed;
      throw policy.scrubError(error);
    },
  );

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
