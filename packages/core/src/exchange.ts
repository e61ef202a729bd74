/**
 * One attempt of one logical request, as core sees it. The adapter puts `apply()`'s headers
 * on the request, reports the answer with `answer()`, and sends the replay when it says so.
 * A client's retry of the same request (got's `retry`, axios-retry, ky's `retry`, our own
 * replay through the client) is a new attempt begun with this one as `previous`: it keeps
 * the request's one refresh spent, carries the current token (or the replay's), and a new
 * DPoP proof. All state is in private fields: an exchange hangs on configs and Requests that
 * get logged, and shows nothing there.
 */
import type { Authorization, DpopTarget, HeaderLookup, HeaderTarget } from './authorization.ts';
import { publishReplay } from './diagnostics.ts';
import { boundAuthorization, isNonceChallenge } from './dpop-authorization.ts';
import type { IssuedTokens } from './issued-tokens.ts';
import type { Verdict } from './origin-policy.ts';
import type { TokenProvider } from './token-provider.ts';

/** What the policy lends its exchanges. */
export interface ExchangeContext {
  readonly issued: IssuedTokens;
  readonly verdictFor: (url: string | URL) => Verdict;
  /** The current token's authorization; `target` is read only for a DPoP-bound token. */
  authorization(
    from: TokenProvider,
    signal: AbortSignal | undefined,
    target: () => DpopTarget,
  ): Promise<Authorization>;
}

/** What an attempt needs to remember about its request. */
export interface AttemptFacts {
  readonly provider: TokenProvider;
  readonly target: () => DpopTarget;
  readonly signal: AbortSignal | undefined;
  /** Whether the body could be sent again whole (decided by the policy). */
  readonly resendable: boolean;
}

/** A response as a fetch-shaped transport returns it, from any realm. */
export interface AnswerLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body?: { cancel(): Promise<void> } | null;
}

export class Exchange {
  readonly #context: ExchangeContext;
  readonly #facts: AttemptFacts;
  #auth: Authorization;
  /** This logical request has had its refresh-and-replay. */
  #replayed: boolean;
  /** The replay's authorization is made and not yet sent by a later attempt. */
  #pending = false;
  /** A redirect took this request to another origin: no token from now on. */
  #crossed = false;

  constructor(
    context: ExchangeContext,
    facts: AttemptFacts,
    auth: Authorization,
    replayed: boolean,
  ) {
    this.#context = context;
    this.#facts = facts;
    this.#auth = auth;
    this.#replayed = replayed;
  }

  /** The `Authorization` value for this attempt. */
  get authorization(): string {
    return this.#auth.header;
  }

  /** The `DPoP` proof for this attempt; `null`: remove any proof header; `undefined`: not DPoP. */
  get dpop(): string | null | undefined {
    return this.#auth.dpop ?? (this.#facts.provider.dpop ? null : undefined);
  }

  /** A redirect took this request to another origin: it gets no token from now on. */
  get crossed(): boolean {
    return this.#crossed;
  }

  /** Whether a 401 to this attempt could still be replayed (so a body is worth keeping). */
  get mayReplay(): boolean {
    return !this.#replayed && !this.#crossed && this.#facts.resendable;
  }

  /** Our headers on the request: the token, and a fresh proof or no stale one. */
  apply(headers: HeaderTarget): void {
    if (this.#crossed) return;
    headers.set('authorization', this.#auth.header);
    const { dpop } = this;
    if (dpop) headers.set('dpop', dpop);
    else if (dpop === null) headers.delete('dpop');
  }

  /**
   * Reports the answer to this attempt. `undefined` (at once, for all but a fixable 401):
   * the answer stands. A promise of `true`: a replay is ready, so `apply()` its headers to a
   * copy of the request and send it (report its answer too); `false`: the 401 stands.
   * `resendable` is the client's word on its body when it knows better than the body shows.
   */
  answer(status: number, header: HeaderLookup, resendable?: boolean): Promise<boolean> | undefined {
    const sent = this.#auth;
    if ((status !== 401 && sent.dpop === undefined) || this.#crossed) return undefined;
    let dpopNonce: string | null | undefined;
    if (sent.dpop !== undefined) {
      // The server's current nonce, whatever the status: the next proof carries it.
      dpopNonce = header('dpop-nonce');
      this.#facts.provider.dpop?.rememberNonce(this.#facts.target().url, dpopNonce);
    }
    const canResend = resendable ?? this.#facts.resendable;
    if (status !== 401 || this.#replayed || this.#crossed || !canResend) return undefined;
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
      try {
        this.#auth = await this.#context.authorization(provider, signal, target);
      } catch (error) {
        publishReplay({ scope: provider.scope, replayed: false });
        throw error;
      }
      publishReplay({ scope: provider.scope, replayed: true });
    }
    this.#pending = true;
    return true;
  }

  /**
   * A redirect of this request to `to`. To another origin, our headers come off `headers`
   * and no later attempt of this request gets a token.
   */
  redirect(from: string | URL, to: string | URL, headers: HeaderTarget): void {
    const { verdictFor, issued } = this.#context;
    if (verdictFor(from).origin === verdictFor(to).origin) return;
    this.#crossed = true;
    const current = headers.get('authorization');
    if (typeof current === 'string' && issued.isOurs(current)) headers.delete('authorization');
    if (this.#auth.dpop !== undefined) headers.delete('dpop');
  }

  /**
   * The next attempt of this request: the replay's authorization when one is ready, else
   * the current token with a new proof. A request that crossed to another origin stays
   * crossed: no token, no replay.
   */
  async next(facts: AttemptFacts): Promise<Exchange> {
    if (this.#crossed) return this;
    const context = this.#context;
    if (this.#pending) {
      this.#pending = false;
      return new Exchange(context, facts, this.#auth, true);
    }
    const auth = await context.authorization(facts.provider, facts.signal, facts.target);
    return new Exchange(context, facts, auth, this.#replayed);
  }

  /**
   * Sends through a fetch-shaped transport: `attempt(0)` with this attempt's headers, and on
   * a 401 worth it, `attempt(1)` with the replay's (the first answer's body is discarded).
   */
  async send<R extends AnswerLike>(attempt: (n: 0 | 1) => Promise<R>): Promise<R> {
    const first = await attempt(0);
    const replay = this.answer(first.status, (name) => first.headers.get(name));
    if (replay === undefined || !(await replay)) return first;
    this.#pending = false;
    await first.body?.cancel();
    const second = await attempt(1);
    this.answer(second.status, (name) => second.headers.get(name));
    return second;
  }
}
