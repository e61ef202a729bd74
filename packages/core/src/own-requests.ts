/**
 * The requests core itself has out right now (token requests, metadata reads), by URL. They
 * go through the fetch core was given, by default the global one, so a hook below it (an
 * undici interceptor on the global dispatcher) sees them too: it lets them through as they
 * are, since authorizing core's own token request would wait on that very request.
 */
const out = new Map<string, number>();

/** `href` without its fragment, as the transport below sees it; `''` for no URL at all. */
function key(url: string | URL): string {
  try {
    const parsed = new URL(url);
    // Stryker disable next-line StringLiteral: equivalent, every key is made here alike
    parsed.hash = '';
    return parsed.href;
  } catch {
    return '';
  }
}

/** Runs `send` with `url` counted as one of core's own requests until it settles. */
export async function asOwnRequest<T>(url: string, send: () => Promise<T>): Promise<T> {
  const href = key(url);
  if (href === '') return send();
  out.set(href, (out.get(href) ?? 0) + 1);
  try {
    return await send();
  } finally {
    const left = (out.get(href) ?? 1) - 1;
    if (left === 0) out.delete(href);
    else out.set(href, left);
  }
}

/** Whether core has a request to `url` out right now (its token endpoint, its metadata). */
export function isOwnRequest(url: string | URL): boolean {
  // Stryker disable next-line ConditionalExpression: a shortcut; an empty map answers the same
  if (out.size === 0) return false;
  return out.has(key(url));
}
