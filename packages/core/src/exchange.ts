/**
 * One attempt of one logical request, as core sees it. The adapter puts `apply()`'s headers
 * on the request, reports the answer with `answer()`, and sends the replay when it says so.
 * A client's retry of the same request (got's `retry`, axios-retry, ky's `retry`, our own
 * replay through the client) is a new attempt begun with this one as `previous`: it keeps
 * the request's one refresh spent, carries the current token (or the replay's), and a new
 * DPoP proof. All state is in private fields and the headers come out of a method, never a
 * getter: an exchange hangs on configs and Requests that get logged, and shows nothing there.
 */
import type { Authorization, DpopTarget, HeaderLookup, HeaderTarget } from './authorization.ts';
import { publishReplay } from './diagnostics.ts';
import { boundAuthorization, isNonceChallenge } from './dpop-authorization.ts';
import type { IssuedTokens } from './issued-tokens.ts';
import type { Verdict } from './origin-policy.ts';
import { startsOnOrigin } from './origins.ts';
import type { TokenProvider } from './token-provider.ts';
import type { MaybePromise } from './token-store.ts';

/** What the policy lends its exchanges. */
export interface ExchangeContext {
  readonly issued: IssuedTokens;
  readonly verdictFor: (url: string | URL) => Verdict;
  /** The current token's authorization; `target` is read only for a DPoP-bound token. */
  authorization(
    from: TokenProvider,
    signal: AbortSignal | undefined,
    target: () => DpopTarget,
  ): MaybePromise<Authorization>;
}

/** What an attempt needs to remember about its request. */
export interface AttemptFacts {
  /** The request's origin, as the policy judged it. */
  readonly origin: string;
  readonly provider: TokenProvider;
  readonly target: () => DpopTarget;
  readonly signal: AbortSignal | undefined;
  /** Whether the body could be sent again whole (decided by the policy). */
  readonly resendable: boolean;
}

/** Our headers for one attempt. `dpop`: a proof; `null`: remove one; absent: not DPoP. */
export interface AuthHeaders {
  readonly authorization: string;
  readonly dpop?: string | null;
}

/** A response as a fetch-shaped transport returns it, from any realm. */
export interface AnswerLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body?: { cancel(): Promise<void> } | null;
  /** Whether redirects were followed, and where the answer came from then (fetch's). */
  readonly redirected?: boolean;
  readonly url?: string;
}

/** What the answer to a request says about its logical request. */
const SETTLED = (status: number) =>
  status < 500 && status !== 401 && status !== 408 && status !== 429;

const NO_TOKEN: Omit<Authorization, 'provider'> = { header: '', accessToken: '' };

export class Exchange {
  readonly #context: ExchangeContext;
  readonly #facts: AttemptFacts;
  #auth: Authorization;
  /** This logical request has had its refresh-and-replay. */
  #replayed: boolean;
  /** The replay's authorization is made and not yet sent by a later attempt. */
  #pending = false;
  /** The token this attempt carries was fetched by this request's refresh. */
  #fromRefresh = false;
  /** The request went (or was moved) to another origin: no token from now on. */
  #crossed: boolean;
  /**
   * A final answer came (2xx, 3xx, a 4xx no retry layer retries): a later `begin` with this
   * exchange is a new request that reuses the config (got's pagination, axios' `request(config)`).
   */
  #settled = false;

  private constructor(
    context: ExchangeContext,
    facts: AttemptFacts,
    auth: Authorization,
    replayed: boolean,
    crossed = false,
  ) {
    this.#context = context;
    this.#facts = facts;
    this.#auth = auth;
    this.#replayed = replayed;
    this.#crossed = crossed;
  }

  /** The first attempt of a request, with its authorization. */
  static begin(context: ExchangeContext, facts: AttemptFacts, auth: Authorization): Exchange {
    return new Exchange(context, facts, auth, false);
  }

  /** A request that carries a header of ours where no token may go: `apply()` removes it. */
  static withdrawn(context: ExchangeContext, facts: AttemptFacts): Exchange {
    return new Exchange(context, facts, { ...NO_TOKEN, provider: facts.provider }, true, true);
  }

  /** Our headers for this attempt; `undefined` when the request gets none. */
  headers(): AuthHeaders | undefined {
    if (this.#crossed) return undefined;
    const { header, dpop } = this.#auth;
    if (dpop) return { authorization: header, dpop };
    return this.#facts.provider.dpop
      ? { authorization: header, dpop: null }
      : { authorization: header };
  }

  /** The request went to another origin: it gets no token from now on. */
  get crossed(): boolean {
    return this.#crossed;
  }

  /** A final answer came: the next `begin` with this exchange starts a new request. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Whether the body can be sent again whole (so a copy for a redirect's hop is worth keeping). */
  get resendable(): boolean {
    return this.#facts.resendable;
  }

  /** The request's method and full URL, as its DPoP proof names them (a redirect starts there). */
  target(): DpopTarget {
    return this.#facts.target();
  }

  /**
   * Whether this request's redirects are core's to follow, hop by hop (an adapter that can
   * send each hop itself then sends them `redirect: 'manual'`): only for an attempt that
   * carries a DPoP proof, which is made for one URL and must not cross origins. A Bearer
   * request's redirects stay its client's, which drops `Authorization` across origins by
   * itself (the Fetch standard, follow-redirects, got) and follows them more cheaply.
   */
  get followsRedirects(): boolean {
    return !this.#crossed && typeof this.#auth.dpop === 'string';
  }

  /** Whether a 401 to this attempt could still be replayed (so a body is worth keeping). */
  get mayReplay(): boolean {
    return !this.#replayed && !this.#crossed && this.#facts.resendable;
  }

  /**
   * Our headers on the request: the token, and a fresh proof or no stale one. On a request
   * that may get no token (moved to another origin), a header of ours comes off instead.
   */
  apply(headers: HeaderTarget): void {
    if (this.#crossed) {
      this.#withdraw(headers);
      return;
    }
    headers.set('authorization', this.#auth.header);
    const { dpop } = this.#auth;
    if (dpop) headers.set('dpop', dpop);
    else if (this.#facts.provider.dpop) headers.delete('dpop');
  }

  #withdraw(headers: HeaderTarget): void {
    const current = headers.get('authorization');
    if (typeof current === 'string' && this.#context.issued.isOurs(current)) {
      headers.delete('authorization');
    }
    if (this.#facts.provider.dpop) headers.delete('dpop');
  }

  /**
   * Reports the answer to this attempt. `undefined` (at once, for all but a fixable 401):
   * the answer stands. A promise of `true`: a replay is ready, so `apply()` its headers to a
   * copy of the request and send it (report its answer too); `false`: the 401 stands.
   * `resendable` is the client's word on its body when it knows better than the body shows.
   */
  answer(status: number, header: HeaderLookup, resendable?: boolean): Promise<boolean> | undefined {
    if (SETTLED(status)) this.#settled = true;
    const sent = this.#auth;
    if ((status !== 401 && sent.dpop === undefined) || this.#crossed) return undefined;
    let dpopNonce: string | null | undefined;
    if (sent.dpop !== undefined) {
      // The server's current nonce, whatever the status: the next proof carries it.
      dpopNonce = header('dpop-nonce');
      this.#facts.provider.dpop?.rememberNonce(this.#facts.target().url, dpopNonce);
    }
    if (
      status === 401 &&
      this.#fromRefresh &&
      !isNonceChallenge(sent, sent.dpop && header('www-authenticate'), dpopNonce)
    ) {
      // The token our refresh just fetched is refused too: the provider backs off.
      this.#fromRefresh = false;
      this.#facts.provider
        .invalidate(sent.accessToken, { refusedAfterRefresh: true })
        .catch(() => undefined);
    }
    const canResend = resendable ?? this.#facts.resendable;
    if (status !== 401 || this.#replayed || !canResend) return undefined;
    this.#replayed = true;
    const challenge = isNonceChallenge(sent, sent.dpop && header('www-authenticate'), dpopNonce);
    return this.#replay(sent, challenge);
  }

  async #replay(sent: Authorization, nonceChallenge: boolean): Promise<boolean> {
    const { provider, target, signal } = this.#facts;
    if (nonceChallenge) {
      // Not a bad token: the same one again, with a proof that carries the nonce.
      this.#auth = await boundAuthorization(provider, sent.accessToken, target());
    } else {
      // Compare-and-delete: a hundred 401s for one token cause one refresh.
      await provider.invalidate(sent.accessToken);
      let fresh: Authorization;
      try {
        fresh = await this.#context.authorization(provider, signal, target);
      } catch (error) {
        publishReplay({ scope: provider.scope, replayed: false });
        throw error;
      }
      // No fresher token (the provider is backing off from an API that refuses every
      // token): the 401 stands, with no request sent again.
      const replayed = fresh.accessToken !== sent.accessToken;
      publishReplay({ scope: provider.scope, replayed });
      if (!replayed) return false;
      this.#auth = fresh;
      this.#fromRefresh = true;
    }
    this.#pending = true;
    return true;
  }

  /**
   * The answer came from `url` after redirects the client followed by itself. From another
   * origin it is not ours to judge: no refresh for its 401, and no token from now on.
   */
  answeredFrom(url: string | URL | null | undefined): void {
    if (!url || this.#crossed) return;
    const { origin } = this.#facts;
    const href = String(url);
    // Stryker disable next-line all: a shortcut; the URL is otherwise parsed and judged the same
    if (startsOnOrigin(href, origin)) return;
    if (this.#context.verdictFor(href).origin !== origin) this.#crossed = true;
  }

  /**
   * A redirect of this request from `from` to `to`, seen before it is followed. To another
   * origin, our headers come off `headers` and no later attempt gets a token.
   */
  redirect(from: string | URL, to: string | URL, headers: HeaderTarget): void {
    const { verdictFor } = this.#context;
    if (verdictFor(from).origin === verdictFor(to).origin) return;
    this.#crossed = true;
    this.#withdraw(headers);
  }

  /**
   * The exchange for the next hop of a redirect the adapter follows itself
   * (`follow-redirects.ts`): on the first request's origin, the next attempt, with the
   * current token and a proof for `to`; on any other, this one, crossed: no token from now on.
   * A hop's body can be sent again, or it has none: a redirect that would resend a one-shot
   * body is refused before it (`nextHop`; undici's redirect interceptor likewise).
   */
  async hop(to: DpopTarget): Promise<Exchange> {
    if (!this.#crossed && this.#context.verdictFor(to.url).origin === this.#facts.origin) {
      return this.next({ ...this.#facts, target: () => to, resendable: true });
    }
    this.#crossed = true;
    return this;
  }

  /**
   * The next attempt of this request: the replay's authorization when one is ready, else
   * the current token with a new proof. A request that crossed to another origin stays
   * crossed: no token, no replay.
   */
  async next(facts: AttemptFacts): Promise<Exchange> {
    if (this.#crossed) return this;
    const context = this.#context;
    let next: Exchange;
    if (this.#pending) {
      this.#pending = false;
      next = new Exchange(context, facts, this.#auth, true);
    } else {
      const auth = await context.authorization(facts.provider, facts.signal, facts.target);
      next = new Exchange(context, facts, auth, this.#replayed);
    }
    // Still the token this request's refresh fetched: its 401 is a refusal of that token.
    next.#fromRefresh = this.#fromRefresh && next.#auth.accessToken === this.#auth.accessToken;
    return next;
  }

  /**
   * Sends through a fetch-shaped transport: `attempt(0)` with this attempt's headers, and on
   * a 401 worth it, `attempt(1)` with the replay's (the first answer's body is discarded).
   */
  async send<R extends AnswerLike>(attempt: (n: 0 | 1) => Promise<R>): Promise<R> {
    const first = await attempt(0);
    if (first.redirected) this.answeredFrom(first.url);
    const replay = this.answer(first.status, (name) => first.headers.get(name));
    if (replay === undefined) return first;
    let ready: boolean;
    try {
      ready = await replay;
    } catch (error) {
      await first.body?.cancel().catch(() => undefined);
      throw error;
    }
    if (!ready) return first;
    await first.body?.cancel();
    this.#pending = false;
    const second = await attempt(1);
    if (second.redirected) this.answeredFrom(second.url);
    this.answer(second.status, (name) => second.headers.get(name));
    return second;
  }
}
