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

/** The URL axios will request (its own base + path joining), for a DPoP proof's `htu`. */
function fullUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  if (!config.baseURL || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url;
  return url ? `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : config.baseURL;
}

/** Our headers on a config: `Authorization`, and the proof for a DPoP-bound token. */
function setAuth(config: InternalAxiosRequestConfig, auth: Authorization): void {
  config.headers.set('Authorization', auth.header);
  // Only a DPoP provider's requests can carry a proof of ours (no lookup for Bearer ones).
  if (auth.dpop) config.headers.set('DPoP', auth.dpop);
  else if (auth.provider.dpop && config.headers.has('DPoP')) config.headers.delete('DPoP');
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
      method: config.method,
      proofUrl: () => fullUrl(config),
      hasAuthorization: Boolean(current) && !ours,
      scope: settings?.scope,
      signal: config.signal as AbortSignal | undefined,
    });
    if (auth) {
      setAuth(config, auth);
      sent.set(config, auth);
    }
    return config;
  });

  /** The replay's response, or `undefined` when this response is not ours to fix. */
  function replay(config: InternalAxiosRequestConfig | undefined, response: AxiosResponse) {
    if (!config) return undefined;
    const auth = sent.get(config);
    const decision = {
      status: response.status,
      sent: auth,
      replayed: Boolean(config.m2mAuth?.replayed),
      signal: config.signal as AbortSignal | undefined,
      ...(auth?.dpop ? challenge(auth, response) : {}),
    };
    if (!policy.shouldReplay(decision) || isOneShotData(config.data)) return undefined;
    return policy.replayAuthorization(decision).then((fresh) => {
      if (!fresh) return undefined;
      setAuth(config, fresh);
      return instance.request({ ...config, m2mAuth: { ...config.m2mAuth, replayed: true } });
    });
  }

  /** A DPoP request's answer, read by core. */
  function challenge(auth: Authorization, response: AxiosResponse) {
    return policy.dpopAnswer(
      auth,
      response.status,
      (name) => response.headers[name] as string | undefined,
    );
  }

  const responseId = instance.interceptors.response.use(
    (response: AxiosResponse) =>
      replay(response.config, response)?.then((r) => r ?? response) ?? response,
    async (error: unknown) => {
      const replayed =
        isAxiosError(error) && error.response && (await replay(error.config, error.response));
      if (replayed) return replayed;
      throw policy.scrubError(error);
    },
  );

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
