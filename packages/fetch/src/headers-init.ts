/**
 * Reading and setting `Authorization` (and, for a DPoP-bound token, `DPoP`) on a
 * `HeadersInit` in the form the caller used. A
 * plain object stays a plain object: undici copies a `Headers` instance more slowly, and
 * the adapter should cost the request nothing it does not need.
 */
type Pairs = ReadonlyArray<readonly [string, string]>;

const isAuthorization = (name: string) => name.toLowerCase() === 'authorization';
const isOurs = (name: string) => {
  const lower = name.toLowerCase();
  return lower === 'authorization' || lower === 'dpop';
};

/** What goes on the request: the `Authorization` value and, with DPoP, the proof. */
export interface AuthHeaders {
  header: string;
  dpop?: string | undefined;
}

export function hasAuthorization(headers: HeadersInit | undefined): boolean {
  if (!headers) return false;
  if (headers instanceof Headers) return headers.has('authorization');
  if (Array.isArray(headers)) return (headers as Pairs).some(([name]) => isAuthorization(name));
  return Object.keys(headers).some(isAuthorization);
}

export function withAuthorization(
  headers: HeadersInit | undefined,
  auth: AuthHeaders,
): HeadersInit {
  const { header, dpop } = auth;
  if (!headers) return dpop ? { authorization: header, dpop } : { authorization: header };
  if (headers instanceof Headers) {
    const copy = new Headers(headers);
    setOn(copy, auth);
    return copy;
  }
  const entries: [string, string][] = Array.isArray(headers)
    ? (headers as Pairs).filter(([name]) => !isOurs(name)).map(([n, v]) => [n, v])
    : [];
  if (Array.isArray(headers)) {
    entries.push(['authorization', header]);
    if (dpop) entries.push(['dpop', dpop]);
    return entries;
  }
  const copy: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) if (!isOurs(name)) copy[name] = v;
  copy['authorization'] = header;
  if (dpop) copy['dpop'] = dpop;
  return copy;
}

/** Sets our headers on a `Headers` (a `Request`'s too), dropping a stale proof. */
export function setOn(headers: Headers, { header, dpop }: AuthHeaders): void {
  headers.set('authorization', header);
  if (dpop) headers.set('dpop', dpop);
  else headers.delete('dpop');
}
