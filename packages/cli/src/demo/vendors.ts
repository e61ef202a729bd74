/** The three seed vendors as the demo meets them: a test-utils profile and its client setup. */
import type { TokenProviderOptions } from '@m2m-auth/core';
import { PROFILE_CLIENT_OPTIONS, type ProfileName } from '@m2m-auth/test-utils';

export interface DemoVendor {
  name: string;
  quirk: string;
  profile: ProfileName;
  options: Partial<TokenProviderOptions> & { clientId: string; clientSecret: string };
  /** A second tenant the same client may ask for, where the vendor has tenants. */
  otherTenant?: string;
}

export const VENDORS: readonly DemoVendor[] = [
  {
    name: 'Fenris',
    quirk: 'Cognito: Basic and client_id in the body, expires_in "86400" as a string',
    profile: 'cognito',
    options: {
      ...PROFILE_CLIENT_OPTIONS.cognito,
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    },
  },
  {
    name: 'Fenergo',
    quirk: 'client_secret_post, one token per tenant scope (tenant/acme, tenant/globex)',
    profile: 'tenant',
    options: {
      ...PROFILE_CLIENT_OPTIONS.tenant,
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    },
    otherTenant: 'tenant/globex',
  },
  {
    name: 'Platform',
    quirk: 'Basic with a self-chosen client id "my:client id+1" (RFC 6749 encoding)',
    profile: 'generic',
    options: { clientId: 'my:client id+1', clientSecret: 's3cr%t:&=+/ü' },
  },
];
