/**
 * The request policy every adapter shares, so that each adapter only translates:
 * which requests get a token, what a 401 means, and where a token may never go.
 *
 * - A token goes only to the allowed origins: `origins`, else the client's base URL;
 *   `'*'` opts out of the list. Plain `http:` only on loopback unless `allowInsecureHttp`.
 * - A request that already has an `Authorization` header is left alone.
 * - A 401 to a request that carried our token: invalidate that token (compare-and-delete,
 *   so concurrent 401s cause one refresh), get a fresh one, replay once. 403 is untouched.
 * - A redirect to another origin never carries our token.
 * - A DPoP-bound token goes with a proof per request; a nonce challenge is not a bad token
 *   (dpop-authorization.ts).
 */

import { publishReplay } from './diagnostics.ts';
import { boundAuthorization, isNonceChallenge, readDpopAnswer } from './dpop-authorization.ts';
import { ConfigError } from './errors.ts';
import { isSecureEnough } from './origins.ts';
import type { TokenProvider } from './token-provider.ts';
import { REDACTED, scrubTokens } from './token-scrubber.ts';

export interface RequestPolicyOptions {
  /**
   * Origins whose requests get a token, e.g. `['https://api.vendor.example']`. `'*'` sends
   * it to every origin (still never over plain `http:` off loopback).
   * @default the client's base URL origin, when the adapter can see one
   */
  origins?: '*' | string | readonly string[];
  /** Allow tokens over plain `http:` to hosts that are not loopback. @default false */
  allowInsecureHttp?: boolean;
  /**
   * Mask our tokens in the HTTP client's own errors before they reach you (`AxiosError`'s
   * `config` and `request`, got's `options` and request, ky's `Request`), since such errors
   * get logged whole. Their type and every other field stay as they were.
   * @default true
   */
  maskTokensInErrors?: boolean;
}

/** What an adapter put on a request, kept so a 401 can invalidate exactly that token. */
export interface Authorization {
  /** The `Authorization` value: `Bearer <token>`, or `DPoP <token>` for a DPoP-bound token. */
  readonly header: string;
  readonly accessToken: string;
  readonly provider: TokenProvider;
  /** For a DPoP-bound token: the `DPoP` header value, a proof made for this one request. */
  readonly dpop?: string;
  /** The server nonce that proof carried, if any. */
  readonly dpopNonce?: string;
  /** Method and URL the DPoP proof was made for (a nonce replay needs a new proof for them). */
  readonly target?: DpopTarget;
}

/** What a DPoP proof is made for. */
export interface DpopTarget {
  method: string;
  url: string | URL;
}

export interface AuthorizeRequest {
  url: string | URL;
  /** The request's method, for a DPoP proof's `htm`. @default 'GET' */
  method?: string | undefined;
  /**
   * The full request URL for a DPoP proof's `htu`, when `url` is only what decides the origin
   * (axios passes its base URL there). Computed only for DPoP-bound tokens. @default url
   */
  proofUrl?: (() => string | URL) | undefined;
  /** The request already has an `Authorization` header: it is left alone. */
  hasAuthorization: boolean;
  /** Per-request scope; uses `provider.forScope(scope)`. */
  scope?: string | readonly string[] | undefined;
  signal?: AbortSignal | undefined;
}

export interface ReplayDecision {
  status: number;
  /** What we attached to the request that got this response, if anything. */
  sent: Authorization | undefined;
  /** The request is already our replay. */
  replayed: boolean;
  signal?: AbortSignal | undefined;
  /** The 401's `WWW-Authenticate` and `DPoP-Nonce` headers (DPoP nonce challenges). */
  wwwAuthenticate?: string | null | undefined;
  dpopNonce?: string | null | undefined;
}

export interface RequestPolicy {
  /** Whether requests to `url` get our token. */
  serves(url: string | URL): boolean;
  /** The authorization for a request, or `undefined` when it is not ours to authorize. */
  authorize(request: AuthorizeRequest): Promise<Authorization | undefined>;
  /**
   * Whether a response deserves the refresh-and-replay: a 401 to a request we authorized
   * and have not replayed yet. Synchronous, so adapters pass every other response through
   * without a promise hop.
   */
  shouldReplay(decision: ReplayDecision): boolean;
  /** For a 401 we can fix, a fresh authorization to replay with; else `undefined`. */
  replayAuthorization(decision: ReplayDecision): Promise<Authorization | undefined>;
  /**
   * The same authorization with a new DPoP proof, for a client that sends a request again by
   * itself (ky's retries): a proof is single-use. A Bearer authorization comes back as it is.
   */
  renewProof(sent: Authorization): Promise<Authorization>;
  /**
   * Reads a DPoP request's answer: keeps a non-401's `DPoP-Nonce` for the next proof, and
   * returns a 401's challenge for the replay decision. Reads nothing for a Bearer request.
   * `header` looks a response header up by lower-case name in the client's own way.
   */
  dpopAnswer(
    sent: Authorization | undefined,
    status: number,
    header: (name: 'dpop-nonce' | 'www-authenticate') => string | null | undefined,
  ): Pick<ReplayDecision, 'wwwAuthenticate' | 'dpopNonce'> | undefined;
  /** Whether our token may stay on a redirect from `from` to `to` (same origin only). */
  keepsTokenOnRedirect(from: string | URL, to: string | URL): boolean;
  /** The client's own error with our tokens masked (unless `maskTokensInErrors: false`). */
  scrubError<T>(error: T): T;
  /**
   * Whether an `Authorization` value is one of ours that an error masked: a retry library
   * re-sending a masked config gets a current token, not `Bearer [redacted]`.
   */
  isMasked(header: string | null | undefined): boolean;
}

export interface ClientContext {
  /** The client's base URL (axios `baseURL`, got `prefixUrl`, ky `baseUrl`/`prefixUrl`). */
  baseUrl?: string | URL | undefined;
  /** Named in errors, e.g. `gotAuth`. */
  adapter?: string;
}

function originOf(value: string | URL, what: string): URL {
  try {
    return new URL(new URL(value).origin);
  } catch {
    throw new ConfigError(`${what} is not an absolute URL`);
  }
}

function allowedOrigins(options: RequestPolicyOptions, client: ClientContext): Set<string> | '*' {
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

/** What the policy needs to know about a URL: its origin and whether a token may go there. */
interface Verdict {
  readonly origin: string;
  readonly listed: boolean;
  readonly secure: boolean;
}

/** How many recently issued tokens an error is searched for (scopes, refreshes). */
const MAX_RECENT_TOKENS = 16;
const MASKED_AUTHORIZATION = `Bearer ${REDACTED}`;
const MASKED_DPOP = `DPoP ${REDACTED}`;

export function createRequestPolicy(
  provider: TokenProvider,
  options: RequestPolicyOptions = {},
  client: ClientContext = {},
): RequestPolicy {
  const origins = allowedOrigins(options, client);
  const allowInsecureHttp = options.allowInsecureHttp ?? false;

  const verdictOf = (url: URL): Verdict => {
    const { origin } = url;
    return {
      origin,
      listed: origins === '*' || origins.has(origin),
      secure: isSecureEnough(url, allowInsecureHttp),
    };
  };
  // Parsing a URL and reading its origin costs more than the rest of a cached authorize, and
  // adapters often pass the same URL on every request (axios: the base URL string; got: a new
  // URL object for the same address), so the last verdict is kept by its href.
  let lastUrl: string | undefined;
  let lastVerdict: Verdict | undefined;
  const judge = (url: string | URL): Verdict => {
    const href = typeof url === 'string' ? url : String(url);
    if (href === lastUrl) return lastVerdict as Verdict;
    const verdict = verdictOf(url instanceof URL ? url : new URL(href));
    lastUrl = href;
    lastVerdict = verdict;
    return verdict;
  };
  const serves = (url: string | URL) => {
    const { listed, secure } = judge(url);
    return listed && secure;
  };
  // The same token on every request until it changes: reuse its header and record.
  let last: Authorization | undefined;
  // The tokens we handed out lately: the ones an error of the client may still quote.
  const recent: string[] = [];
  const remember = (accessToken: string) => {
    if (!recent.includes(accessToken) && recent.unshift(accessToken) > MAX_RECENT_TOKENS) {
      recent.pop();
    }
  };
  // `target` is built only for a DPoP-bound token: the Bearer path allocates nothing for it.
  const authorization = async (
    from: TokenProvider,
    signal: AbortSignal | undefined,
    target: DpopTarget | (() => DpopTarget),
  ): Promise<Authorization> => {
    const { accessToken, tokenType } = await from.getToken(signal ? { signal } : {});
    if (tokenType === 'DPoP' && from.dpop) {
      remember(accessToken);
      return boundAuthorization(
        from,
        accessToken,
        typeof target === 'function' ? target() : target,
      );
    }
    if (last?.accessToken === accessToken && last.provider === from) return last;
    last = { header: `Bearer ${accessToken}`, accessToken, provider: from };
    remember(accessToken);
    return last;
  };
  const masking = options.maskTokensInErrors ?? true;

  const shouldReplay = ({ status, sent, replayed }: ReplayDecision) =>
    status === 401 && sent !== undefined && !replayed;

  return {
    serves,
    async authorize({ url, method, proofUrl, hasAuthorization, scope, signal }) {
      if (hasAuthorization) return undefined;
      const target = judge(url);
      if (!target.listed) return undefined;
      if (!target.secure) {
        throw new ConfigError(
          `Refusing to send a token to ${target.origin} over plain http:; use https: or set allowInsecureHttp`,
        );
      }
      const from = scope === undefined ? provider : provider.forScope(scope);
      return authorization(from, signal, () => ({
        method: method ?? 'GET',
        url: proofUrl ? proofUrl() : url,
      }));
    },
    shouldReplay,
    async replayAuthorization(decision) {
      const { sent, signal } = decision;
      if (!sent || !shouldReplay(decision)) return undefined;
      // Only DPoP authorizations carry their target; a Bearer token's proof-less replay needs none.
      const target = sent.target ?? { method: 'GET', url: 'http://localhost/' };
      if (isNonceChallenge(sent, decision)) {
        sent.provider.dpop?.rememberNonce(target.url, decision.dpopNonce);
        return boundAuthorization(sent.provider, sent.accessToken, target);
      }
      await sent.provider.invalidate(sent.accessToken);
      try {
        const fresh = await authorization(sent.provider, signal, target);
        publishReplay({ scope: sent.provider.scope, replayed: true });
        return fresh;
      } catch (error) {
        publishReplay({ scope: sent.provider.scope, replayed: false });
        throw error;
      }
    },
    keepsTokenOnRedirect(from, to) {
      return judge(from).origin === judge(to).origin;
    },
    renewProof: async (sent) =>
      sent.dpop && sent.target
        ? boundAuthorization(sent.provider, sent.accessToken, sent.target)
        : sent,
    dpopAnswer: readDpopAnswer,
    scrubError: (error) => (masking ? scrubTokens(error, recent) : error),
    isMasked: (header) => header === MASKED_AUTHORIZATION || header === MASKED_DPOP,
  };
}
