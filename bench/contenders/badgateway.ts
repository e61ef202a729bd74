/**
 * `@badgateway/oauth2-client` 3.3.1, wired as its README shows
 * (https://github.com/badgateway/oauth2-client#readme):
 * - "Usage": `new OAuth2Client({ server, clientId, clientSecret, tokenEndpoint })`. The test
 *   server has no discovery document, and the README says to give `tokenEndpoint` then; the
 *   client resolves it with `new URL(tokenEndpoint, server)`, so the absolute token URL is
 *   used as is (and no discovery request is made).
 * - "client_credentials grant.": `client.clientCredentials()`.
 * - "Fetch Wrapper": `new OAuth2Fetch({ client, getNewToken: () => client.clientCredentials() })`
 *   and `fetchWrapper.fetch(url)`; the wrapper caches the token, shares one refresh, and on a
 *   401 refreshes and retries once.
 * - "OAuth2 `client_id` and `client_secret` encoding": the default, `client_secret_basic_interop`
 *   (HTTP Basic), which the strict-rfc token server accepts.
 * Nothing is added by hand.
 */
import { OAuth2Client, OAuth2Fetch } from '@badgateway/oauth2-client';
import { type Contender, type ContenderSpec, readStatus } from './contender.ts';

export const badgateway: ContenderSpec = {
  id: 'badgateway-fetch',
  label: '`@badgateway/oauth2-client` `OAuth2Fetch`',
  client: 'fetch',
  source: '@badgateway/oauth2-client README, "client_credentials grant." and "Fetch Wrapper"',
  create(options): Contender {
    const client = new OAuth2Client({
      server: new URL(options.tokenUrl).origin,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenEndpoint: options.tokenUrl,
    });
    const wrapper = new OAuth2Fetch({
      client,
      getNewToken: () => client.clientCredentials(),
    });
    return {
      get: (path) => wrapper.fetch(options.apiOrigin + path).then(readStatus),
      // Nothing to release: global fetch owns the sockets, and OAuth2Fetch only schedules a
      // refresh timer for tokens that carry a refresh_token (client_credentials tokens do not).
      close: async () => undefined,
    };
  },
};
