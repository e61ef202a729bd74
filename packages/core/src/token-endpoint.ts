/**
 * One token request on the wire: build the form, authenticate the client, POST through
 * `exchange` (timeout, size limit, typed transport errors), note the server's clock, and
 * hand the text to the parser.
 */
import { applyClientAuth, type ClientAuthMethod, type ClientCredentials } from './client-auth.ts';
import type { DpopProver } from './dpop.ts';
import { isOAuthError } from './errors.ts';
import type { Grant } from './grant.ts';
import { exchange, type FetchLike } from './http-exchange.ts';
import type { Redactor } from './redactor.ts';
import { parseRetryAfter } from './retry.ts';
import { type ParsedToken, readTokenResponse } from './token-response.ts';
import type { TokenResponseMapper } from './token-response-mapper.ts';
import type { ServerTarget, TokenServer } from './token-server.ts';

// Named from here by index.ts; its home is the exchange that calls it.
export type { FetchLike } from './http-exchange.ts';

/** Form parameters that carry a credential: a server may echo them in an error. */
const SENT_CREDENTIALS = ['client_assertion', 'assertion', 'subject_token', 'actor_token'];

export interface TokenEndpoint {
  server: TokenServer;
  /** Set when the provider uses DPoP: a proof on every token request. */
  dpop: DpopProver | undefined;
  credentials: ClientCredentials;
  /** The grant: what it adds to each request (an assertion, tokens). */
  grant: Grant;
  /** The scope as sent, for a grant that carries it itself (a jwt-bearer `scope` claim). */
  scope: string | undefined;
  /** grant_type, scope, audience, resource and extra params, in order. */
  params: ReadonlyArray<readonly [string, string]>;
  fetch: FetchLike;
  timeoutMs: number;
  maxResponseBytes: number;
  defaultLifetimeMs: number;
  /** The user's normaliser for a non-standard answer, run before core reads it. */
  mapTokenResponse?: TokenResponseMapper | undefined;
  redactor: Redactor;
}

/** `onClockSkew` hears the new offset when the server's `Date` moves it. */
export async function requestToken(
  endpoint: TokenEndpoint,
  method: ClientAuthMethod,
  target: ServerTarget,
  onClockSkew: (offsetMs: number) => void,
): Promise<ParsedToken> {
  const { clock } = endpoint.server;
  // One more round when a DPoP server asks for its nonce (RFC 9449 §8): everything is built
  // anew, since an assertion's `jti`, like a proof's, is single-use.
  for (let round = 0; ; round++) {
    const headers = new Headers({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    const body = new URLSearchParams(endpoint.params as Array<[string, string]>);
    const context = { tokenUrl: target.tokenUrl, issuer: target.issuer, now: clock.now() };
    await applyClientAuth(method, endpoint.credentials, context, headers, body);
    await endpoint.grant.apply(body, { ...context, scope: endpoint.scope });
    for (const name of SENT_CREDENTIALS) {
      const value = body.get(name);
      if (value) endpoint.redactor.addSent(value);
    }
    // The proof's `iat` in the token endpoint's time, like the assertion's.
    const sent = endpoint.dpop
      ? await endpoint.dpop.proof('POST', target.tokenUrl, undefined, clock.now())
      : undefined;
    if (sent) {
      headers.set('dpop', sent.proof);
      endpoint.redactor.addSent(sent.proof);
    }
    const startedAt = Date.now();
    const { response, text, receivedAt } = await exchange(
      target.tokenUrl,
      { method: 'POST', headers, body: body.toString() },
      { ...endpoint, what: 'Token request' },
    );
    const skew = clock.observe(response.headers.get('date'), receivedAt);
    if (skew !== undefined) onClockSkew(skew);
    const nonce = response.headers.get('dpop-nonce');
    endpoint.dpop?.rememberNonce(target.tokenUrl, nonce);
    // A nonce challenge is answered when it names a nonce our proof did not carry (another
    // request may have learnt it meanwhile: still a reason to retry, not to fail).
    const newNonce = sent !== undefined && nonce !== null && nonce !== sent.nonce;
    try {
      return readTokenResponse(
        text,
        {
          status: response.status,
          contentType: response.headers.get('content-type'),
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
          redact: endpoint.redactor.redact,
          headers: response.headers,
          mapTokenResponse: endpoint.mapTokenResponse,
          notApplicable: endpoint.grant.acceptsNotApplicable,
        },
        endpoint.defaultLifetimeMs,
        startedAt + clock.offsetMs, // a JWT `exp` alone is read against the server's clock
        endpoint.dpop !== undefined,
      );
    } catch (error) {
      const askedForNonce = isOAuthError(error) && error.error === 'use_dpop_nonce';
      if (!(askedForNonce && newNonce && round === 0)) throw error;
    }
  }
}
