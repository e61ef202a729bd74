/** The three seed vendors as the demo meets them: a test-utils profile and its client setup. */
import type { TokenProviderOptions } from '@m2m-auth/core';
import { PROFILE_CLIENT_OPTIONS, type ProfileName } from '@m2m-auth/test-utils';
import type { JWK } from 'jose';

export interface DemoVendor {
  name: string;
  quirk: string;
  profile: ProfileName;
  options: Partial<TokenProviderOptions> & { clientId: string };
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

/**
 * Not a seed vendor: what a security team asks for, on the test server's `dpop` profile. No
 * shared secret on the wire (a `private_key_jwt` assertion signed with `key`, whose public
 * half the demo registers for `demo-client`), and DPoP-bound tokens with server nonces.
 */
export function securityFirstVendor(key: JWK): DemoVendor {
  return {
    name: 'Security-first',
    quirk: 'private_key_jwt, DPoP-bound tokens, nonces on both servers',
    profile: 'dpop',
    options: {
      clientId: 'demo-client',
      clientAuth: 'private_key_jwt',
      clientAssertion: { privateKey: key },
      dpop: true,
    },
  };
}
