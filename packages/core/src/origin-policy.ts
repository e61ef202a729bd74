/**
 * Which origins get a token: `origins`, else the client's base URL, else (for an adapter that
 * asks for it) the first request's origin alone; `'*'` opts out of the list. Plain `http:`
 * only on loopback unless `allowInsecureHttp`. Decided at creation, so a misconfigured
 * adapter fails before any token request.
 */
import { ConfigError } from './errors.ts';
import { isSecureEnough, startsOnOrigin } from './origins.ts';

export interface OriginOptions {
  /**
   * Origins whose requests get a token, e.g. `['https://api.vendor.example']`. `'*'` sends
   * it to every origin (still never over plain `http:` off loopback).
   * @default the client's base URL origin, when the adapter can see one
   */
  origins?: '*' | string | readonly string[];
  /** Allow tokens over plain `http:` to hosts that are not loopback. @default false */
  allowInsecureHttp?: boolean;
}

export interface ClientContext {
  /** The client's base URL (axios `baseURL`, got `prefixUrl`, ky `baseUrl`/`prefixUrl`). */
  baseUrl?: string | URL | undefined;
  /** Named in errors, e.g. `gotAuth`. */
  adapter?: string;
  /**
   * With neither `origins` nor a base URL: the first request's origin is the one served, and
   * a request to any other is refused with a `ConfigError` that ends with `advice` (a token
   * for one service would otherwise go to whichever client shares the adapter). For an
   * adapter that cannot see its client's address before a request (grpcAuth given no hosts).
   */
  firstOrigin?: { readonly advice: string } | undefined;
}

/** What the policy needs to know about a URL: its origin and whether a token may go there. */
export interface Verdict {
  readonly origin: string;
  readonly listed: boolean;
  readonly secure: boolean;
  /** Why a request to this origin must fail rather than go without a token. */
  readonly refusal?: string;
}

function originOf(value: string | URL, what: string): URL {
  try {
    return new URL(new URL(value).origin);
  } catch {
    throw new ConfigError(`${what} is not an absolute URL`);
  }
}

function allowedOrigins(
  options: OriginOptions,
  client: ClientContext,
): Set<string> | '*' | 'first' {
  const adapter = client.adapter ?? 'the adapter';
  if (options.origins === '*') return '*';
  const given =
    options.origins === undefined
      ? client.baseUrl === undefined || client.baseUrl === ''
        ? []
        : [client.baseUrl]
      : typeof options.origins === 'string'
        ? [options.origins]
        : [...options.origins];
  if (given.length === 0) {
    if (client.firstOrigin) return 'first';
    throw new ConfigError(
      `${adapter} does not know which origins may receive the token: pass origins: ['https://api.example.com'] (or set the client's base URL); origins: '*' sends it everywhere`,
    );
  }
  const origins = new Set<string>();
  for (const value of given) {
    const url = originOf(value, `origin ${String(value)}`);
    if (!isSecureEnough(url, options.allowInsecureHttp ?? false)) {
      throw new ConfigError(
        `${url.origin} is plain http: and not loopback; use https: or set allowInsecureHttp`,
      );
    }
    origins.add(url.origin);
  }
  return origins;
}

/** `verdictFor(url)`: the verdict for a URL, the last one remembered by its href. */
export function originVerdicts(
  options: OriginOptions,
  client: ClientContext,
): (url: string | URL) => Verdict {
  let origins = allowedOrigins(options, client);
  // With `firstOrigin`: the first request's URL, whose origin alone is served.
  let first: URL | undefined;
  const allowInsecureHttp = options.allowInsecureHttp ?? false;
  // Parsing a URL costs more than the rest of a cached request, and adapters often pass the
  // same URL on every request (axios: the base URL string; got: a new URL object for the
  // same address) or another path on the same origin (undici), so the last verdict is kept
  // by its href, and serves any href that starts with its origin and a path.
  let lastUrl: string | undefined;
  let lastVerdict: Verdict | undefined;
  return (url) => {
    const href = typeof url === 'string' ? url : String(url);
    if (href === lastUrl) return lastVerdict as Verdict;
    // Stryker disable next-line all: a shortcut; the URL is otherwise parsed and judged the same
    if (lastVerdict && startsOnOrigin(href, lastVerdict.origin)) {
      lastUrl = href;
      return lastVerdict;
    }
    const parsed = url instanceof URL ? url : new URL(href);
    if (origins === 'first') {
      first = parsed;
      origins = new Set([parsed.origin]);
    }
    const listed = origins === '*' || origins.has(parsed.origin);
    const verdict: Verdict = {
      origin: parsed.origin,
      listed,
      secure: isSecureEnough(parsed, allowInsecureHttp),
      ...(first && !listed
        ? {
            refusal: `${client.adapter ?? 'The adapter'} serves ${first.host} (the first it was used for), not ${parsed.host}; ${client.firstOrigin?.advice}`,
          }
        : {}),
    };
    lastUrl = href;
    lastVerdict = verdict;
    return verdict;
  };
}
