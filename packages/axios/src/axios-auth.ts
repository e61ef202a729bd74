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

function fullUrl(instance: AxiosInstance, config: InternalAxiosRequestConfig): string {
  return instance.getUri(config);
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
    // A retry library re-running this config still carries the header we set: ours to renew.
    const ours = current !== undefined && current !== null && sent.get(config)?.header === current;
    const auth = await policy.authorize({
      url: fullUrl(instance, config),
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

  async function replay(config: InternalAxiosRequestConfig | undefined, status: number) {
    if (!config || isOneShotData(config.data)) return undefined;
    const auth = await policy.replayAuthorization({
      status,
      sent: sent.get(config),
      replayed: Boolean(config.m2mAuth?.replayed),
      signal: config.signal as AbortSignal | undefined,
    });
    if (!auth) return undefined;
    config.headers.set('Authorization', auth.header);
    return instance.request({ ...config, m2mAuth: { ...config.m2mAuth, replayed: true } });
  }

  const responseId = instance.interceptors.response.use(
    async (response: AxiosResponse) => (await replay(response.config, response.status)) ?? response,
    async (error: unknown) => {
      if (!isAxiosError(error) || !error.response) throw error;
      const replayed = await replay(error.config, error.response.status);
      if (replayed) return replayed;
      throw error;
    },
  );

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
