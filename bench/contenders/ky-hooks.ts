/**
 * ky 2.1.0 with the hooks its readme (node_modules/ky/readme.md, github.com/sindresorhus/ky)
 * shows for this:
 * - "FAQ › How do I add authentication headers to every request?" and "hooks.beforeRequest":
 *   `request.headers.set('Authorization', `Bearer ${getToken()}`)`, here awaiting the cache.
 * - "hooks.afterResponse", the "retry with a fresh token on a 401 error" example: when
 *   `response.status === 401 && retryCount === 0`, get a new token and
 *   `return ky.retry({request: new Request(request, {headers}), code: 'TOKEN_REFRESHED'})`.
 *   A forced retry counts against `retry.limit` (default 2) and waits ky's default retry delay
 *   (about 0.3 s, "ky.retry(options?) › delay"); `beforeRequest` does not run again for it.
 *   (The FAQ's other answer, `retry: {statusCodes: [401]}` + `beforeRetry`, is not used.)
 * Hand-written: the token cache (`handTokenCache`) and its `fetchToken` (plain ky, HTTP Basic
 * per RFC 6749 §2.3.1); the example's token request is `cache.refresh()`. ky's defaults
 * otherwise.
 */
import ky from 'ky';
import { type Contender, type ContenderSpec, readStatus, statusOf } from './contender.ts';
import { basicAuthorization, handTokenCache } from './hand-token-cache.ts';

export const kyHooks: ContenderSpec = {
  id: 'ky-hooks',
  label: 'ky `beforeRequest` + `afterResponse` `ky.retry` + hand token cache',
  client: 'ky',
  source: 'ky readme.md, "hooks.beforeRequest" and "hooks.afterResponse" (401 example)',
  create(options): Contender {
    const basic = basicAuthorization(options.clientId, options.clientSecret);
    const cache = handTokenCache(async () => {
      const body = await ky
        .post(options.tokenUrl, {
          headers: { authorization: basic },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        })
        .json<{ access_token: string; expires_in: number }>();
      return { accessToken: body.access_token, expiresIn: body.expires_in };
    });

    const api = ky.create({
      baseUrl: options.apiOrigin,
      hooks: {
        beforeRequest: [
          async ({ request }) => {
            request.headers.set('Authorization', `Bearer ${await cache.get()}`);
          },
        ],
        afterResponse: [
          async ({ request, response, retryCount }) => {
            if (response.status === 401 && retryCount === 0) {
              const token = await cache.refresh();
              const headers = new Headers(request.headers);
              headers.set('Authorization', `Bearer ${token}`);
              return ky.retry({
                request: new Request(request, { headers }),
                code: 'TOKEN_REFRESHED',
              });
            }
          },
        ],
      },
    });

    return {
      get: (path) => api.get(path.slice(1)).then(readStatus, statusOf),
      close: async () => undefined, // nothing held beyond fetch's shared connection pool
    };
  },
};
