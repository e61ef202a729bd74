/**
 * Authorization server metadata as RFC 8414 (`/.well-known/oauth-authorization-server`) and
 * OpenID Connect Discovery (`/.well-known/openid-configuration`) publish it, plus the
 * overrides a test sets to prove a client checks what it reads: a foreign `issuer`, fewer
 * auth methods, a missing document.
 */
import { KEY_ALGS, SECRET_ALGS } from './client-assertion.ts';

export type DiscoveryDocument = 'oauth' | 'openid';

export const DISCOVERY_PATHS: Readonly<Record<DiscoveryDocument, string>> = {
  oauth: '/.well-known/oauth-authorization-server',
  openid: '/.well-known/openid-configuration',
};

export interface AuthServerMetadata {
  /** The server's `url`, exactly (RFC 8414 §3.3: a client must compare it). */
  issuer: string;
  /** The `strict-rfc` token endpoint. */
  token_endpoint: string;
  jwks_uri: string;
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  grant_types_supported: string[];
}

/** Fields merged over the metadata; a field set to `undefined` is left out of the document. */
export type MetadataOverrides = Record<string, unknown>;

export interface DiscoveryOverrides {
  /** Merged over the default metadata of both documents. */
  metadata?: MetadataOverrides;
  /** The RFC 8414 document: more fields merged over `metadata`, or a status to answer instead. */
  oauth?: MetadataOverrides | number;
  /** The OpenID document: more fields merged over `metadata`, or a status to answer instead. */
  openid?: MetadataOverrides | number;
}

export function defaultMetadata(issuer: string, tokenEndpoint: string): AuthServerMetadata {
  return {
    issuer,
    token_endpoint: tokenEndpoint,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint_auth_methods_supported: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'client_secret_jwt',
    ],
    token_endpoint_auth_signing_alg_values_supported: [...KEY_ALGS, ...SECRET_ALGS],
    grant_types_supported: ['client_credentials'],
  };
}

/** The document at `path`, if it is one: its status and JSON body under `overrides`. */
export function discoveryAnswer(
  path: string,
  metadata: AuthServerMetadata,
  overrides: DiscoveryOverrides = {},
): { document: DiscoveryDocument; status: number; body: unknown } | undefined {
  const document = (Object.keys(DISCOVERY_PATHS) as DiscoveryDocument[]).find(
    (name) => DISCOVERY_PATHS[name] === path,
  );
  if (!document) return undefined;
  const own = overrides[document];
  if (typeof own === 'number') {
    const error = own === 404 ? 'not_found' : 'server_error';
    return { document, status: own, body: { error, error_description: 'set by setDiscovery' } };
  }
  // JSON.stringify leaves out the fields an override set to undefined.
  return { document, status: 200, body: { ...metadata, ...overrides.metadata, ...own } };
}
