/**
 * A token provider configured for one of the authorization server's profiles, with the
 * default client: the tested configuration for each seed vendor, in one place.
 */
import { createTokenProvider, type TokenProvider, type TokenProviderOptions } from '@m2m-auth/core';
import type { JWK } from 'jose';
import type { AuthServer } from './auth-server.ts';
import type { ProfileName } from './profiles.ts';
import { DEFAULT_AUDIENCE } from './token-endpoint.ts';
import { ENTRA_RESOURCE } from './vendors/entra.ts';

/** What each vendor profile needs from the provider (see the core README's vendor quirks). */
export const PROFILE_CLIENT_OPTIONS: Record<ProfileName, Partial<TokenProviderOptions>> = {
  cognito: { clientIdInBody: true },
  tenant: { clientAuth: 'client_secret_post', scope: 'tenant/acme' },
  generic: {},
  'strict-rfc': {},
  // The token endpoint demands a DPoP proof, and the API one per request with its tokens.
  dpop: { dpop: true },
  // The secret in the body, as the page's example; one `<resource>/.default` scope.
  entra: { clientAuth: 'client_secret_post', scope: `${ENTRA_RESOURCE}/.default` },
  // Client Secret (Post), Auth0's default method; the API identifier as `audience`.
  auth0: { clientAuth: 'client_secret_post', audience: DEFAULT_AUDIENCE },
  // A custom authorization server: Basic (Okta's default) and a custom scope.
  okta: { scope: 'api:read' },
  keycloak: {},
  // A jwt-bearer grant, signed with a key: `serviceAccountOptions(key)` as overrides.
  'google-sa': {},
  salesforce: { clientAuth: 'client_secret_post' },
};

/** The Google service account `useTestServers` registers, whose key is `serviceAccountKey`. */
export const DEMO_SERVICE_ACCOUNT = 'demo-sa@m2m-auth-test.iam.gserviceaccount.com';

/**
 * A `google-sa` provider's options: the jwt-bearer grant signed as `DEMO_SERVICE_ACCOUNT`
 * with `privateKey`, the scope in the assertion, no client authentication.
 */
export const serviceAccountOptions = (privateKey: JWK): Partial<TokenProviderOptions> => ({
  clientAuth: 'none',
  grant: { type: 'jwt-bearer', issuer: DEMO_SERVICE_ACCOUNT, privateKey, scopeIn: 'claim' },
  scope: 'https://www.googleapis.com/auth/cloud-platform',
});

export function profileProvider(
  auth: AuthServer,
  profile: ProfileName,
  overrides: Partial<TokenProviderOptions> = {},
): TokenProvider {
  return createTokenProvider({
    tokenUrl: auth.tokenUrl(profile),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    ...PROFILE_CLIENT_OPTIONS[profile],
    ...overrides,
  });
}
