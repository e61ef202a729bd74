/**
 * got 16.1.0 with got's own token-refresh recipe:
 * - sindresorhus/got documentation/9-hooks.md, "`afterResponse`" (same example in the
 *   `afterResponse` JSDoc of dist/source/core/options.d.ts): on a 401, get a new token,
 *   `instance.defaults.options.merge(updatedOptions)` with `mutableDefaults: true`, and
 *   `return retryWithMergedOptions(updatedOptions)`. The retry skips `beforeRequest` and the
 *   `afterResponse` hooks already run, so it is tried once more, never in a loop.
 * - 9-hooks.md, "`beforeRequest`" ("especially useful ... when you want to sign your
 *   request"): puts the cached token on every request, since the recipe only gets a token
 *   after a 401 and so sends the first requests without one.
 * The recipe's `token` header is `authorization: Bearer …` here (what the API expects).
 * Hand-written: the token cache (`handTokenCache`, shared in-flight request, `expires_in`) and
 * its `fetchToken` (plain got, HTTP Basic per RFC 6749 §2.3.1); `getNewToken()` is
 * `cache.refresh()`. Everything else is got's defaults.
 */
import got, { type Response } from 'got';
import { type Contender, type ContenderSpec, statusOf } from './contender.ts';
import { basicAuthorization, handTokenCache } from './hand-token-cache.ts';

export const gotRecipe: ContenderSpec = {
  id: 'got-recipe',
  label: 'got `afterResponse` recipe + hand token cache',
  client: 'got',
  source: 'sindresorhus/got documentation/9-hooks.md, "afterResponse" and "beforeRequest"',
  create(options): Contender {
    const basic = basicAuthorization(options.clientId, options.clientSecret);
    const cache = handTokenCache(async () => {
      const body = await got
        .post(options.tokenUrl, {
          headers: { authorization: basic },
          form: { grant_type: 'client_credentials' },
        })
        .json<{ access_token: string; expires_in: number }>();
      return { accessToken: body.access_token, expiresIn: body.expires_in };
    });

    const instance = got.extend({
      prefixUrl: options.apiOrigin,
      hooks: {
        beforeRequest: [
          async (requestOptions) => {
            requestOptions.headers['authorization'] = `Bearer ${await cache.get()}`;
          },
        ],
        afterResponse: [
          async (response, retryWithMergedOptions) => {
            if (response.statusCode === 401) {
              const updatedOptions = {
                headers: { authorization: `Bearer ${await cache.refresh()}` },
              };
              instance.defaults.options.merge(updatedOptions);
              return retryWithMergedOptions(updatedOptions);
            }
            return response;
          },
        ],
      },
      mutableDefaults: true,
    });

    return {
      get: (path) =>
        Promise.resolve(instance.get(path.slice(1))).then(
          (r) => (r as Response).statusCode,
          statusOf,
        ),
      close: async () => undefined, // holds nothing of its own (got uses Node's global agent)
    };
  },
};
