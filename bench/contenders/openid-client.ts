/**
 * `openid-client` 6.9.0 (https://github.com/panva/openid-client), wired as its docs show:
 * - `docs/classes/Configuration.md`, "Setting up a Configuration with a constructor": the
 *   metadata is known upfront (the test server has no discovery document, so README "Quick
 *   start"'s `discovery()` cannot be used); the issuer is the token URL's origin. With a string
 *   as third argument the client authenticates with its default, `ClientSecretPost` (body
 *   credentials), which the strict-rfc token server accepts.
 * - `docs/functions/allowInsecureRequests.md`, "Usage with a Configuration instance": needed
 *   only because the test servers are plain http on 127.0.0.1 (openid-client refuses http).
 * - README "Client Credentials Grant" / `docs/functions/clientCredentialsGrant.md`:
 *   `client.clientCredentialsGrant(config)` (no scope or resource here).
 * openid-client only fetches tokens, so the rest is what a user writes by hand: the shared
 *   `handTokenCache` (lifetime from `expires_in`), a Bearer header on a global `fetch`, and on
 *   a 401 one `refresh()` and one retry. README "Quick start"'s `fetchProtectedResource` is not
 *   used: the contender is compared with bare fetch, and it throws on a 401 that carries a
 *   `WWW-Authenticate` challenge instead of returning the response.
 */
import * as client from 'openid-client';
import { type Contender, type ContenderSpec, readStatus } from './contender.ts';
import { handTokenCache } from './hand-token-cache.ts';

export const openidClient: ContenderSpec = {
  id: 'openid-client',
  label: '`openid-client` `clientCredentialsGrant` + hand cache',
  client: 'fetch',
  source: 'openid-client README, "Client Credentials Grant"; docs/classes/Configuration.md',
  create(options): Contender {
    const config = new client.Configuration(
      { issuer: new URL(options.tokenUrl).origin, token_endpoint: options.tokenUrl },
      options.clientId,
      options.clientSecret,
    );
    client.allowInsecureRequests(config); // plain http test servers only
    const tokens = handTokenCache(async () => {
      const response = await client.clientCredentialsGrant(config);
      // No `expires_in` means no known lifetime: do not keep the token.
      return { accessToken: response.access_token, expiresIn: response.expires_in ?? 0 };
    });

    // Hand-written: Bearer header, and on a 401 a new token and one retry.
    const send = (url: string, token: string) =>
      fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    async function get(path: string): Promise<number> {
      const url = options.apiOrigin + path;
      let response = await send(url, await tokens.get());
      if (response.status === 401) {
        await response.arrayBuffer(); // drain the refused response so its socket is reused
        response = await send(url, await tokens.refresh());
      }
      return readStatus(response);
    }
    // Nothing to release: global fetch owns the sockets and openid-client holds no timers.
    return { get, close: async () => undefined };
  },
};
