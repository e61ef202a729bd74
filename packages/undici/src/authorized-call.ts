/**
 * One dispatch we authorize, from the caller's handler's point of view: one controller and
 * one `onRequestStart` across our replay, each attempt's answer judged by its `Attempt`
 * (attempt.ts). Classes, not closures: on the global dispatcher this runs for every request
 * to an allowed origin.
 */
import {
  type Exchange,
  type KeptBody,
  keptBody,
  type OutgoingRequest,
  recordHeaders,
} from '@m2m-auth/core/adapter';
import { Attempt, type AttemptCall } from './attempt.ts';
import { CallController, type ControlledCall } from './call-controller.ts';
import type { HeaderRecord } from './dispatch-headers.ts';
import type {
  Controller,
  Dispatch,
  DispatchOptions,
  Handler,
  LegacyHandler,
  ResponseHeaders,
} from './handler.ts';
import { FromLegacy, ToLegacy } from './legacy-handlers.ts';

/**
 * What a call needs from its interceptor: one object per `compose()`, shared by its calls
 * (closures per request cost the garbage collector on every request).
 */
export interface CallLinks {
  /** The dispatch below. */
  readonly dispatch: Dispatch;
  /** The replay's attempt: `policy.begin(call.request, previous)`, remembered on the handler. */
  next(call: AuthorizedCall, previous: Exchange): Promise<Exchange | undefined>;
  /** Marks the caller's handler with the attempt, for undici's retry and redirect handlers. */
  remember(call: AuthorizedCall, exchange: Exchange): void;
  scrub<T>(error: T): T;
  /** How much of a streamed body is kept for a replay. */
  readonly maxBytes: number;
}

export class AuthorizedCall implements AttemptCall, ControlledCall {
  /** The handler as it came, and the same in the new API (the caller's own, or a bridge). */
  readonly handler: Handler & LegacyHandler;
  readonly caller: Handler;
  /** An old-style handler's call is dispatched below in the old API too. */
  readonly #legacy: boolean;
  readonly links: CallLinks;
  readonly options: DispatchOptions;
  readonly headers: HeaderRecord;
  /** What core judges; `url` is the href the interceptor built. */
  readonly request: OutgoingRequest & { readonly url: string };
  readonly controller: Controller = new CallController(this);
  body: KeptBody | undefined;
  /** The attempt the caller's controller acts on, and the one whose response is still coming. */
  current: Controller | undefined;
  live: Controller | undefined;
  history: readonly unknown[] | undefined;
  started = false;
  done = false;
  /** Why the caller aborted. */
  reason: unknown;

  constructor(
    handler: Handler & LegacyHandler,
    options: DispatchOptions,
    headers: HeaderRecord,
    request: OutgoingRequest & { readonly url: string },
    links: CallLinks,
  ) {
    this.handler = handler;
    this.#legacy = typeof handler.onRequestStart !== 'function';
    this.caller = this.#legacy ? new FromLegacy(handler) : handler;
    this.options = options;
    this.headers = headers;
    this.request = request;
    this.links = links;
  }

  /**
   * Sends the first attempt with `exchange`'s headers; with no exchange (core sends the
   * request as it is) the caller's dispatch goes below untouched. Returns what undici's
   * dispatch returns.
   */
  start(exchange: Exchange | undefined): boolean {
    // Called as a plain function, as undici calls the dispatch it hands an interceptor.
    const { dispatch } = this.links;
    if (!exchange) return dispatch(this.options, this.handler);
    this.links.remember(this, exchange);
    const body = keptBody(this.options.body, exchange.mayReplay, this.links.maxBytes);
    this.body = body;
    // The first attempt takes the copy the interceptor made; a replay copies it again.
    this.send(exchange, body.first, this.headers);
    return true;
  }

  send(exchange: Exchange, body: unknown, headers: HeaderRecord = { ...this.headers }): void {
    if (this.done) return;
    exchange.apply(recordHeaders(headers));
    const attempt = new Attempt(this, exchange);
    const { dispatch } = this.links;
    dispatch({ ...this.options, headers, body }, this.#legacy ? new ToLegacy(attempt) : attempt);
  }

  /** Hands the caller `error` (masked), once. */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.caller.onResponseError?.(this.controller, this.links.scrub(error));
  }

  end(trailers: ResponseHeaders): void {
    if (this.done) return;
    this.done = true;
    this.caller.onResponseEnd?.(this.controller, trailers);
  }

  abort(reason: unknown): void {
    if (this.done || this.reason !== undefined) return;
    this.reason = reason ?? new Error('aborted');
    if (this.live) this.live.abort(this.reason);
    else this.fail(this.reason);
  }

  async replay(previous: Exchange): Promise<void> {
    try {
      const next = await this.links.next(this, previous);
      if (next) this.send(next, this.body?.again());
      else this.fail(new Error('the replay was not authorized'));
    } catch (error) {
      this.fail(error);
    }
  }
}
