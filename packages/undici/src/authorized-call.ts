/**
 * One dispatch we authorize, from the caller's handler's point of view: one controller and
 * one `onRequestStart` across our replay, each attempt's answer judged by its `Attempt`
 * (attempt.ts). Classes, not closures: on the global dispatcher this runs for every request
 * to an allowed origin.
 */
import { type Exchange, type KeptBody, recordHeaders } from '@m2m-auth/core/adapter';
import { Attempt, type AttemptCall } from './attempt.ts';
import { CallController, type ControlledCall } from './call-controller.ts';
import type { HeaderRecord } from './dispatch-headers.ts';
import type { Controller, DispatchOptions, Handler, ResponseHeaders } from './handler.ts';

/** What a call needs from its interceptor. */
export interface CallLinks {
  /** The dispatch below, in the handler API the caller used. */
  send(options: DispatchOptions, handler: Handler): void;
  /** The replay's attempt: `policy.begin(request, previous)`. */
  next(previous: Exchange): Promise<Exchange | undefined>;
  scrub<T>(error: T): T;
}

export class AuthorizedCall implements AttemptCall, ControlledCall {
  readonly caller: Handler;
  readonly links: CallLinks;
  readonly options: DispatchOptions;
  readonly headers: HeaderRecord;
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

  constructor(caller: Handler, options: DispatchOptions, headers: HeaderRecord, links: CallLinks) {
    this.caller = caller;
    this.options = options;
    this.headers = headers;
    this.links = links;
  }

  /** Sends the first attempt, with `exchange`'s headers. */
  start(exchange: Exchange, body: KeptBody): void {
    this.body = body;
    // The first attempt takes the copy the interceptor made; a replay copies it again.
    this.send(exchange, body.first, this.headers);
  }

  send(exchange: Exchange, body: unknown, headers: HeaderRecord = { ...this.headers }): void {
    if (this.done) return;
    exchange.apply(recordHeaders(headers));
    this.links.send({ ...this.options, headers, body }, new Attempt(this, exchange));
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
      const next = await this.links.next(previous);
      if (next) this.send(next, this.body?.again());
      else this.fail(new Error('the replay was not authorized'));
    } catch (error) {
      this.fail(error);
    }
  }
}
