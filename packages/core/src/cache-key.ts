/**
 * The cache key: a SHA-256 over everything that changes the token, so a rotated secret,
 * another scope or another audience never reuses a token. The secret goes into the hash,
 * never into the key in clear; scopes and params are sorted so their order does not matter.
 */
import { base64url } from 'jose';

export interface KeyMaterial {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  clientAuth: string;
  clientIdInBody: boolean;
  scopes: readonly string[];
  audience: string | undefined;
  resources: readonly string[];
  params: ReadonlyArray<readonly [string, string]>;
  /** What identifies the signing keys of assertion methods ('' when none). */
  credentialKey: string;
}

export async function cacheKey(material: KeyMaterial): Promise<string> {
  const canonical = JSON.stringify([
    'm2m-auth/v1',
    material.tokenUrl,
    material.clientId,
    material.clientSecret,
    material.clientAuth,
    material.clientIdInBody,
    [...material.scopes].sort(),
    material.audience ?? null,
    [...material.resources].sort(),
    [...material.params].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1)),
    // Appended only when set, so the keys of secret-based clients stay what they were.
    ...(material.credentialKey ? [material.credentialKey] : []),
  ]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return `m2m:${base64url.encode(new Uint8Array(digest))}`;
}
