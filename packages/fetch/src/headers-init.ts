/**
 * Reading and setting `Authorization` (and, for a DPoP-bound token, `DPoP`) on a
 * `HeadersInit` in the form the caller used. A plain object stays a plain object: undici
 * copies a `Headers` instance more slowly, and the adapter should cost the request nothing it
 * does not need. The caller's object is never changed.
 */
import { recordHeaders } from '@m2m-auth/core/adapter';

type Pairs = ReadonlyArray<readonly [string, string]>;

/** What goes on the request: the `Authorization` value and the proof (`null`: remove one). */
export interface AuthHeaders {
  readonly authorization: string;
  readonly dpop?: string | null | undefined;
}

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

function write(
  target: { set(n: string, v: string): unknown; delete(n: string): unknown },
  auth: AuthHeaders,
) {
  target.set('authorization', auth.authorization);
  if (auth.dpop) target.set('dpop', auth.dpop);
  else if (auth.dpop === null) target.delete('dpop');
}

export function withAuthorization(
  headers: HeadersInit | undefined,
  auth: AuthHeaders,
): HeadersInit {
  if (!headers) {
    return auth.dpop
      ? { authorization: auth.authorization, dpop: auth.dpop }
      : { authorization: auth.authorization };
  }
  if (isHeaders(headers) || Array.isArray(headers)) {
    const copy = new Headers(headers as HeadersInit);
    write(copy, auth);
    return copy;
  }
  const copy: Record<string, unknown> = { ...headers };
  write(recordHeaders(copy), auth);
  return copy as HeadersInit;
}
