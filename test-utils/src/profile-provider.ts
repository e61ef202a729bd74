/**
 * A token provider configured for one of the authorization server's profiles, with the
 * default client: the tested configuration for each seed vendor, in one place.
 */
import { createTokenProvider, type TokenProvider, type TokenProviderOptions } from '@m2m-auth/core';
import type { AuthServer } from './auth-server.ts';
import type { ProfileName } from './profiles.ts';

/** What each vendor profile needs from the provider (see the core README's vendor quirks). */
export const PROFILE_CLIENT_OPTIONS: Record<ProfileName, Partial<TokenProviderOptions>> = {
  cognito: { clientIdInBody: true },
  tenant: { clientAuth: 'client_secret_post', scope: 'tenant/acme' },
  generic: {},
  'strict-rfc': {},
  // The token endpoint demands a DPoP proof, and the API one per request with its tokens.
  dpop: { dpop: true },
};

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
