/**
 * Reading and setting `Authorization` on a `HeadersInit` in the form the caller used. A
 * plain object stays a plain object: undici copies a `Headers` instance more slowly, and
 * the adapter should cost the request nothing it does not need.
 */
type Pairs = ReadonlyArray<readonly [string, string]>;

const isAuthorization = (name: string) => name.toLowerCase() === 'authorization';

export function hasAuthorization(headers: HeadersInit | undefined): boolean {
  if (!headers) return false;
  if (headers instanceof Headers) return headers.has('authorization');
  if (Array.isArray(headers)) return (headers as Pairs).some(([name]) => isAuthorization(name));
  return Object.keys(headers).some(isAuthorization);
}

export function withAuthorization(headers: HeadersInit | undefined, value: string): HeadersInit {
  if (!headers) return { authorization: value };
  if (headers instanceof Headers) {
    const copy = new Headers(headers);
    copy.set('authorization', value);
    return copy;
  }
  if (Array.isArray(headers)) {
    return [
      ...(headers as Pairs).filter(([name]) => !isAuthorization(name)),
      ['authorization', value],
    ] as [string, string][];
  }
  const copy: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers)) if (!isAuthorization(name)) copy[name] = v;
  copy['authorization'] = value;
  return copy;
}
