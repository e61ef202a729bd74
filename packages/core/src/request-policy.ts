/**
 * The request policy every adapter shares: it begins each attempt of a request (`begin`)
 * and owns what follows (the `Exchange`), so adapters only move headers, statuses and bodies
 * between their client and core.
 *
 * - A token goes only to the allowed origins (origin-policy.ts).
 * - An `Authorization` already on the request is left alone, unless it is ours (a token we
 *   issued lately, or its masked form): then it is renewed, whichever clone carries it.
 * - A 401 to a request that carried our token: invalidate that token (compare-and-delete),
 *   get a fresh one, replay once, if the body can be sent again whole. 403 is untouched.
 * - A redirect to another origin never carries our token (nor a DPoP proof); an adapter that
 *   lets core follow redirects (`followRedirects`) gets a new proof on the same origin.
 * - A DPoP-bound token goes with a proof per attempt; a nonce challenge is not a bad token.
 */
import type { Authorization, DpopTarget } from './authorization.ts';
import { boundAuthorization } from './dpop-authorization.ts';
import { ConfigError } from './errors.ts';
import { type AnswerLike, Exchange, type ExchangeContext } from './exchange.ts';
import { followRedirects, type HopAttempt } from './follow-redirects.ts';
import { issuedTokens } from './issued-tokens.ts';
import { type ClientContext, type OriginOptions, originVerdicts } from './origin-policy.ts';
import { firstHop, type RedirectHop } from './redirect-hop.ts';
import { isOneShotBody } from './resendable-body.ts';
import { type MaybePromise, tokenNow, whenReady } from './token-now.ts';
import type { TokenProvider } from './token-provider.ts';
import { scrubTokens } from './token-scrubber.ts';
import type { AccessToken } from './token-store.ts';

export interface RequestPolicyOptions extends OriginOptions {
  /**
   * Mask our tokens in the HTTP client's own errors before they reach you (`AxiosError`'s
   * `config` and `request`, got's `options` and request, ky's `Request`), since such errors
   * get logged whole. Their type and every other field stay as they were.
   * @default true
   */
  maskTokensInErrors?: boolean;
}

/** One attempt of a request, as the adapter's client shows it. */
export interface OutgoingRequest {
  /** The absolute URL, or what decides its origin (axios: `baseURL` for a relative `url`). */
  url: string | URL;
  /** @default 'GET' */
  method?: string | undefined;
  /** The full URL for a DPoP proof's `htu` when `url` only decides the origin. @default url */
  proofUrl?: (() => string | URL) | undefined;
  /** The `Authorization` header on the request now, if any: ours is renewed, theirs kept. */
  authorization?: unknown;
  /** Per-request scope: `provider.forScope(scope)`. */
  scope?: string | readonly string[] | undefined;
  signal?: AbortSignal | null | undefined;
  /** The body as the client holds it; core decides whether a replay can send it whole. */
  body?: unknown;
  /**
   * What the client knows better than its body shows: `false` when it cannot send this body
   * again (got 15 turns a `FormData` into a one-shot stream), `true` when it keeps a copy.
   */
  resendable?: boolean | undefined;
  /**
   * The caller wants redirects followed and the adapter can send each hop itself: `send`
   * follows them hop by hop when `exchange.followsRedirects` (a DPoP-bound request), and
   * hands `attempt` each hop; otherwise the transport follows them. @default false
   */
  followRedirects?: boolean | undefined;
}

export interface RequestPolicy {
  /**
   * Begins an attempt: an `Exchange` whose headers go on the request, or `undefined` when
   * the request is not ours to authorize (another origin, the caller's own `Authorization`).
   * A request to another origin that carries a header of ours gets an exchange whose
   * `apply()` takes it off. Pass the previous attempt's exchange when the client sends the
   * same request again; one that has had a final answer starts a new request instead.
   * With a cached token the exchange comes at once, not in a promise (`await` takes both);
   * a bad request (a token over plain `http:`) is a rejected promise, never a throw.
   */
  begin(request: OutgoingRequest, previous?: Exchange): MaybePromise<Exchange | undefined>;
  /**
   * `begin`, then `exchange.send(attempt)`; `attempt(undefined)` when it is not ours. With
   * `followRedirects`, a DPoP-bound request is sent hop by hop: `attempt` gets the hop and
   * sends it without following (`hop.count === 0`: the request as given); without a hop, the
   * transport follows redirects as the caller asked.
   */
  send<R extends AnswerLike>(
    request: OutgoingRequest,
    attempt: (exchange: Exchange | undefined, n: 0 | 1, hop?: RedirectHop) => Promise<R>,
  ): Promise<R>;
  /**
   * `exchange.send(attempt)`, following the request's redirects hop by hop, for an adapter
   * that began the exchange itself and sends through a fetch-shaped transport with
   * `redirect: 'manual'` (kyAuth): `attempt` gets each hop's exchange and sends the hop
   * without following (`hop.count === 0`: the request as given).
   */
  follow<R extends AnswerLike>(exchange: Exchange, attempt: HopAttempt<R>): Promise<R>;
  /** Whether requests to `url` get our token. */
  serves(url: string | URL): boolean;
  /**
   * Whether `begin` would do anything with a new request to `url` carrying `authorization`
   * (an exchange, or a rejection for a refused origin), rather than answer `undefined`: for a
   * transport that sees every request of the process and passes the others on untouched.
   */
  concerns(url: string | URL, authorization: unknown): boolean;
  /** Whether an `Authorization` value is ours: a token handed out lately, or its masked form. */
  owns(authorization: unknown): boolean;
  /** The client's own error with our tokens masked (unless `maskTokensInErrors: false`). */
  scrub<T>(error: T): T;
}

export function createRequestPolicy(
  provider: TokenProvider,
  options: RequestPolicyOptions = {},
  client: ClientContext = {},
): RequestPolicy {
  const verdictFor = originVerdicts(options, client);
  const issued = issuedTokens();
  // The same token on every request until it changes: reuse its header and record.
  let last: Authorization | undefined;
  function authorize(
    from: TokenProvider,
    { accessToken, tokenType }: AccessToken,
    target: () => DpopTarget,
  ): MaybePromise<Authorization> {
    if (tokenType === 'DPoP' && from.dpop) {
      issued.remember(accessToken);
      return boundAuthorization(from, accessToken, target());
    }
    if (last?.accessToken === accessToken && last.provider === from) return last;
    last = { header: `Bearer ${accessToken}`, accessToken, provider: from };
    issued.remember(accessToken);
    return last;
  }
  const context: ExchangeContext = {
    issued,
    verdictFor,
    // With a cached Bearer token, at once: no promise between a request and its header.
    authorization(from, signal, target) {
      return whenReady(tokenNow(from, signal), (token) => authorize(from, token, target));
    },
  };
  const masking = options.maskTokensInErrors ?? true;
  const owns = (authorization: unknown) =>
    typeof authorization === 'string' && issued.isOurs(authorization);

  /**
   * The origin's verdict for a request `begin` acts on; `undefined` when it is not ours: the
   * caller's own `Authorization`, or an origin not listed without a header of ours on it.
   */
  function standing(url: string | URL, authorization: unknown) {
    const ours = owns(authorization);
    if (authorization && !ours) return undefined;
    const verdict = verdictFor(url);
    return verdict.listed || ours || verdict.refusal ? verdict : undefined;
  }

  function begin(
    request: OutgoingRequest,
    previous?: Exchange,
  ): MaybePromise<Exchange | undefined> {
    try {
      return judge(request, previous);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function judge(
    request: OutgoingRequest,
    previous: Exchange | undefined,
  ): MaybePromise<Exchange | undefined> {
    if (previous?.crossed && !previous.settled) return previous;
    const verdict = standing(request.url, request.authorization);
    if (!verdict) return undefined;
    if (verdict.refusal) throw new ConfigError(verdict.refusal);
    if (verdict.listed && !verdict.secure) {
      throw new ConfigError(
        `Refusing to send a token to ${verdict.origin} over plain http:; use https: or set allowInsecureHttp`,
      );
    }
    const { scope, proofUrl, url } = request;
    const facts = {
      origin: verdict.origin,
      provider: scope === undefined ? provider : provider.forScope(scope),
      target: (): DpopTarget => ({
        method: request.method ?? 'GET',
        url: proofUrl ? proofUrl() : url,
      }),
      signal: request.signal ?? undefined,
      resendable: request.resendable ?? !isOneShotBody(request.body),
    };
    // Not listed, so the header on it is ours, on a request moved elsewhere (a retry layer's
    // failover): it comes off.
    if (!verdict.listed) return Exchange.withdrawn(context, facts);
    if (previous && !previous.settled) return previous.next(facts);
    return whenReady(context.authorization(facts.provider, facts.signal, facts.target), (auth) =>
      Exchange.begin(context, facts, auth),
    );
  }

  function follow<R extends AnswerLike>(exchange: Exchange, attempt: HopAttempt<R>): Promise<R> {
    const { method, url } = exchange.target();
    return followRedirects(exchange, firstHop(url, method), attempt);
  }

  return {
    begin,
    follow,
    async send(request, attempt) {
      const exchange = await begin(request);
      if (!exchange) return attempt(undefined, 0);
      if (request.followRedirects && exchange.followsRedirects) return follow(exchange, attempt);
      return exchange.send((n) => attempt(exchange, n));
    },
    owns,
    concerns: (url, authorization) => standing(url, authorization) !== undefined,
    serves(url) {
      const { listed, secure } = verdictFor(url);
      return listed && secure;
    },
    scrub: (error) => (masking ? scrubTokens(error, issued.list()) : error),
  };
}
