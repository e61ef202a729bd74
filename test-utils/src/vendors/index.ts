/**
 * The vendor profiles beside the seed vendors' (`profiles.ts` merges them in): one file per
 * vendor, each citing the vendor pages it follows.
 */
import type { Profile } from '../profiles.ts';
import { auth0 } from './auth0.ts';
import { entra } from './entra.ts';
import { googleServiceAccount } from './google-service-account.ts';
import { keycloak } from './keycloak.ts';
import { okta } from './okta.ts';
import { salesforce } from './salesforce.ts';

export type VendorProfileName =
  | 'entra'
  | 'auth0'
  | 'okta'
  | 'keycloak'
  | 'google-sa'
  | 'salesforce';

export const VENDOR_PROFILES: Record<VendorProfileName, Profile> = {
  entra,
  auth0,
  okta,
  keycloak,
  'google-sa': googleServiceAccount,
  salesforce,
};
