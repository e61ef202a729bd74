// An independent client (openid-client, on oauth4webapi) against the strict-rfc endpoint: its
// discovery, private_key_jwt and client_secret_jwt must pass our checks as they are, so the
// checks follow the RFCs rather than only our own helpers.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  type AuthServer,
  type ClientKeys,
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
} from '../src/index.ts';

let auth: AuthServer;
let keys: ClientKeys;
beforeAll(async () => {
  keys = await generateClientKeys('ES256');
  auth = await startAuthServer({
    clients: [...DEFAULT_CLIENTS, { clientId: 'es-client', clientSecret: 'x', jwks: keys.jwks }],
  });
});
afterAll(() => auth.close());
beforeEach(() => {
  auth.stats.reset();
  auth.control.setDiscovery(undefined);
});

const discover = (clientId: string, clientAuth: oidc.ClientAuth) =>
  oidc.discovery(new URL(auth.url), clientId, undefined, clientAuth, {
    execute: [oidc.allowInsecureRequests],
  });

it('openid-client discovers the server and gets tokens with private_key_jwt', async () => {
  const config = await discover(
    'es-client',
    oidc.PrivateKeyJwt({ key: keys.privateKey, kid: keys.kid }),
  );
  const first = await oidc.clientCredentialsGrant(config);
  const second = await oidc.clientCredentialsGrant(config);
  expect(first.token_type.toLowerCase()).toBe('bearer');
  expect(second.access_token).not.toBe(first.access_token);
  expect(auth.stats.discovery).toEqual({ oauth: 0, openid: 1 });
  expect(auth.stats.byAuthMethod()).toMatchObject({ private_key_jwt: 2 });
  const [a, b] = auth.stats.assertions;
  expect(a?.claims.jti).not.toBe(b?.claims.jti);
});

it('openid-client gets tokens with client_secret_jwt', async () => {
  const config = await discover('demo-client', oidc.ClientSecretJwt('demo-secret'));
  await oidc.clientCredentialsGrant(config);
  expect(auth.stats.byAuthMethod()).toMatchObject({ client_secret_jwt: 1 });
  expect(auth.stats.assertions[0]?.header.alg).toBe('HS256');
});

it('openid-client refuses a discovery document with a foreign issuer', async () => {
  auth.control.setDiscovery({ metadata: { issuer: 'https://impostor.example' } });
  await expect(discover('demo-client', oidc.ClientSecretBasic('demo-secret'))).rejects.toThrow(
    /issuer/,
  );
});
