/**
 * `axios-auth-refresh` 5.0.2 with axios 1.x, wired as its README shows
 * (https://github.com/Flyrell/axios-auth-refresh#readme):
 * - "Usage": `createAuthRefresh(instance, refreshAuthLogic)` with the README's default options,
 *   and a `refreshAuthLogic` that gets a new token and sets
 *   `failedRequest.response.config.headers['Authorization']` before the library retries.
 *   (`createAuthRefreshInterceptor` is the deprecated alias of the same function.)
 * - "Request interceptor": an `interceptors.request.use` that sets the header from where the
 *   token is kept, so requests stalled during a refresh go out with the new token.
 * - "Skipping the interceptor" / "Deduplicate refresh calls": the token request goes through a
 *   separate plain axios instance, so the interceptor never sees it and `skipAuthRefresh` is
 *   not needed (the README requires it only for refresh calls made through the instance).
 * axios-auth-refresh does not fetch or keep tokens, so that part is hand-written: the shared
 *   `handTokenCache`, filled by a `grant_type=client_credentials` POST with HTTP Basic client
 *   authentication (RFC 6749 §2.3.1: form-urlencode id and secret, then base64).
 */
import axios, { type AxiosResponse } from 'axios';
import { createAuthRefresh } from 'axios-auth-refresh';
import { type Contender, type ContenderSpec, statusOf } from './contender.ts';
import { basicAuthorization, handTokenCache } from './hand-token-cache.ts';

export const axiosAuthRefresh: ContenderSpec = {
  id: 'axios-auth-refresh',
  label: '`axios-auth-refresh` `createAuthRefresh` + hand cache',
  client: 'axios',
  source: 'axios-auth-refresh README, "Usage" and "Request interceptor"',
  create(options): Contender {
    // Hand-written token fetching, on its own instance (no interceptors).
    const tokenClient = axios.create();
    const basic = basicAuthorization(options.clientId, options.clientSecret);
    const tokens = handTokenCache(async () => {
      const { data } = await tokenClient.post<{ access_token: string; expires_in: number }>(
        options.tokenUrl,
        new URLSearchParams({ grant_type: 'client_credentials' }),
        { headers: { Authorization: basic } },
      );
      return { accessToken: data.access_token, expiresIn: data.expires_in };
    });

    const api = axios.create({ baseURL: options.apiOrigin });
    // README "Request interceptor" (async here: the cache fetches a token on first use).
    api.interceptors.request.use(async (request) => {
      request.headers['Authorization'] = `Bearer ${await tokens.get()}`;
      return request;
    });
    // README "Usage".
    const refreshAuthLogic = (failedRequest: { response: AxiosResponse }) =>
      tokens.refresh().then((token) => {
        failedRequest.response.config.headers['Authorization'] = `Bearer ${token}`;
      });
    // Default options. With `deduplicateRefresh: true` (default, "recommended") the instance is
    // paused while a refresh runs: calls made meanwhile are held, but calls already in flight
    // whose 401 arrives meanwhile are rejected, not retried (upstream issues #90, #113).
    // The cast is types only: axios-auth-refresh's declarations load axios's CommonJS types,
    // which TypeScript treats as unrelated to the ESM types of the same instance.
    createAuthRefresh(api as Parameters<typeof createAuthRefresh>[0], refreshAuthLogic);

    return {
      get: (path) => api.get(path).then((r) => r.status, statusOf),
      // Nothing to release: axios uses Node's global agent, and no timers are held.
      close: async () => undefined,
    };
  },
};
