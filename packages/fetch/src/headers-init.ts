/**
 * Reading and setting `Authorization` (and, for a DPoP-bound token, `DPoP`) on a
 * `HeadersInit` in the form the caller used. A plain object stays a plain object: undici
 * copies a `Headers` instance more slowly, and the adapter should cost the request nothing it
 * does not need. The caller's object is never changed.
 */
import { type AuthHeaders, type HeaderTarget, recordHeaders } from '@m2m-auth/core/adapter';

type Pairs = ReadonlyArray<readonly [string, string]>;

const isHeaders = (headers: object): headers is Headers =>
  typeof (headers as Headers).get === 'function' && typeof (headers as Headers).set === 'function';

/** The `Authorization` value in any `HeadersInit` form, of any realm. */
export function authorizationOf(headers: HeadersInit | undefined): string | null | undefined {
  if (!headers) return undefined;
  if (isHeaders(headers)) return headers.get('authorization');
  if (Array.isArray(headers)) {
    return (headers as Pairs).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  }
  return recordHeaders(headers as Record<string, unknown>).get('authorization') as string;
}

/** What fetchAuth needs of an exchange: its headers, or a way to put them on (or take ours off). */
export interface HeadersSource {
  headers(): AuthHeaders | undefined;
  apply(headers: HeaderTarget): void;
}

/** `headers` with ours on, in the caller's form; the caller's object is copied, never changed. */
export function withAuthorization(
  headers: HeadersInit | undefined,
  exchange: HeadersSource,
): HeadersInit | undefined {
  if (!headers) {
    const ours = exchange.headers();
    if (!ours) return headers;
    return ours.dpop
      ? { authorization: ours.authorization, dpop: ours.dpop }
      : { authorization: ours.authorization };
  }
  if (isHeaders(headers) || Array.isArray(headers)) {
    const copy = new Headers(headers as HeadersInit);
    exchange.apply(copy);
    return copy;
  }
  const copy: Record<string, unknown> = { ...headers };
  exchange.apply(recordHeaders(copy));
  return copy as HeadersInit;
}
