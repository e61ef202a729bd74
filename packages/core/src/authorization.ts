/**
 * What an adapter put on one request: the types the request exchange and its DPoP side share
 * (a leaf file, so neither imports the other).
 */
import type { TokenProvider } from './token-provider.ts';

/** What a DPoP proof is made for: the request's method and its real URL. */
export interface DpopTarget {
  method: string;
  url: string | URL;
}

/** Our headers for one attempt, kept so a 401 can invalidate exactly that token. */
export interface Authorization {
  /** The `Authorization` value: `Bearer <token>`, or `DPoP <token>` for a DPoP-bound token. */
  readonly header: string;
  readonly accessToken: string;
  readonly provider: TokenProvider;
  /** For a DPoP-bound token: the `DPoP` header value, a proof made for this one attempt. */
  readonly dpop?: string;
  /** The server nonce that proof carried, if any. */
  readonly dpopNonce?: string;
}

/** Looks a response header up by lower-case name, in the client's own way. */
export type HeaderLookup = (name: 'dpop-nonce' | 'www-authenticate') => string | null | undefined;

/**
 * A request's headers as the client holds them (`Headers`, axios' `AxiosHeaders`, or a plain
 * object through `recordHeaders`): how core puts its headers on, renews or removes them.
 */
export interface HeaderTarget {
  get(name: 'authorization' | 'dpop'): unknown;
  set(name: 'authorization' | 'dpop', value: string): unknown;
  delete(name: 'authorization' | 'dpop'): unknown;
}
