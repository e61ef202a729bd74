/**
 * What a grant is to the token request: its `grant_type`, the parameters it adds to each
 * request, the credentials it reads, and its part of the cache key. RFC 6749 §4.4 client
 * credentials is the default; jwt-bearer (RFC 7523) and token exchange (RFC 8693) are in
 * their own files, chosen in grant-options.ts.
 */
import type { SecretSource } from './secret-source.ts';

/** What a grant knows of one token request. */
export interface GrantContext {
  tokenUrl: string;
  issuer: string | undefined;
  /** Server time, ms. */
  now: number;
  /** The scope as the provider sends it, space-separated; `undefined` for none. */
  scope: string | undefined;
}

export interface Grant {
  /** The `grant_type` value. */
  readonly grantType: string;
  /** Whether the provider's scope goes in the form (else the grant carries it: a claim). */
  readonly scopeInForm: boolean;
  /** Its part of the cache key: '' for client credentials, so those keys stay what they were. */
  readonly fingerprint: string;
  /** The credentials it reads, by option name: loaded before a request, re-read when refused. */
  readonly sources: ReadonlyArray<readonly [string, SecretSource]>;
  /** It signs an assertion here: refused after we learnt the server's clock, it signs again. */
  readonly signs: boolean;
  /**
   * The answer may say `token_type: N_A` (RFC 8693 §2.2.1: the token issued is not an access
   * token, say an ID token): taken, and handed out as Bearer.
   */
  readonly acceptsNotApplicable?: boolean;
  /** Adds the grant's own parameters (an assertion, tokens) to one request's form. */
  apply(body: URLSearchParams, context: GrantContext): Promise<void>;
}

export const CLIENT_CREDENTIALS: Grant = {
  grantType: 'client_credentials',
  scopeInForm: true,
  fingerprint: '',
  sources: [],
  signs: false,
  apply: async () => undefined,
};
