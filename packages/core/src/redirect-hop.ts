/**
 * The Fetch standard's HTTP-redirect fetch (§4.4) as decisions, for an adapter that follows
 * the redirects of a request it authorizes itself (fetch with `redirect: 'manual'`): where
 * the next hop goes, with which method, whether the body goes along, and which headers come
 * off. The request exchange decides our own headers for each hop (`Exchange.hop`).
 */
/** The standard's limit: the 21st redirect is a network error. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Request-body header names, dropped with the body when a redirect turns a request into a GET. */
const BODY_HEADERS = [
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
  'content-length',
] as const;

/**
 * Dropped on a change of origin: the standard's `Authorization`, `Proxy-Authorization` and
 * `Cookie`, and `DPoP`, a proof made for another URL (the exchange takes ours off anyway).
 */
const CROSS_ORIGIN_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'dpop'] as const;

/** One request of a chain of redirects: the first is the request as the caller gave it. */
export interface RedirectHop {
  readonly url: URL;
  /** Normalized as fetch does (`post` -> `POST`). */
  readonly method: string;
  /** Redirects followed so far: 0 for the caller's own request. */
  readonly count: number;
  /** Whether the caller's body goes with this hop (false once a redirect made it a GET). */
  readonly body: boolean;
  /** Header names to take off the caller's headers for this hop (those of every hop so far). */
  readonly dropHeaders: readonly string[];
}

const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** fetch's method normalization: these six in upper case, any other method as given. */
export function normalizeMethod(method: string | undefined): string {
  const upper = (method ?? 'GET').toUpperCase();
  return NORMALIZED.has(upper) ? upper : (method as string);
}

export function firstHop(url: string | URL, method: string | undefined): RedirectHop {
  return {
    url: new URL(url),
    method: normalizeMethod(method),
    count: 0,
    body: true,
    dropHeaders: [],
  };
}

/** fetch's network error: a `TypeError` ('fetch failed') whose `cause` says why. */
function networkError(reason: string): TypeError {
  return new TypeError('fetch failed', { cause: new Error(reason) });
}

/**
 * The hop an answer redirects `from` to, or `undefined` when the answer is not a redirect to
 * follow (another status, no `Location`). Throws fetch's network error where fetch would: an
 * unparsable or non-HTTP(S) `Location`, a 21st redirect (past `max`, for a client with a
 * limit of its own), or a body that cannot be sent again (`resendable: false`) on any
 * redirect but a 303.
 */
export function nextHop(
  from: RedirectHop,
  status: number,
  location: string | null | undefined,
  resendable: boolean,
  max = MAX_REDIRECTS,
): RedirectHop | undefined {
  if (!REDIRECT_STATUSES.has(status) || location === null || location === undefined) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(location, from.url);
  } catch {
    throw networkError('invalid location URL');
  }
  if (url.hash === '' && from.url.hash !== '') url.hash = from.url.hash;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw networkError('URL scheme must be a HTTP(S) scheme');
  }
  if (from.count >= max) throw networkError('redirect count exceeded');
  if (status !== 303 && from.body && !resendable) {
    throw networkError('a redirect would send a one-shot body again');
  }
  const toGet =
    ((status === 301 || status === 302) && from.method === 'POST') ||
    (status === 303 && from.method !== 'GET' && from.method !== 'HEAD');
  const drop = new Set(from.dropHeaders);
  if (toGet) for (const name of BODY_HEADERS) drop.add(name);
  if (url.origin !== from.url.origin) for (const name of CROSS_ORIGIN_HEADERS) drop.add(name);
  return {
    url,
    method: toGet ? 'GET' : from.method,
    count: from.count + 1,
    body: from.body && !toGet,
    dropHeaders: [...drop],
  };
}
