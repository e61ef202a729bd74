/**
 * One dispatch we authorize, from the caller's handler's point of view: one controller and
 * one `onRequestStart` across our replay, every answer reported to core, and a 401 that core
 * may replay held (status, headers, up to 64 KiB of body) until core decides: sent again
 * with the fresh token, or delivered as it came. Classes, not closures: on the global
 * dispatcher this runs for every request to an allowed origin.
 */
import { type Exchange, recordHeaders } from '@m2m-auth/core/adapter';
import type { HeaderRecord } from './dispatch-headers.ts';
import type { Controller, DispatchOptions, Handler, ResponseHeaders } from './handler.ts';
import type { KeptBody } from './kept-body.ts';

/** What a call needs from its interceptor. */
export interface CallLinks {
  /** The dispatch below, in the handler API the caller used. */
  send(options: DispatchOptions, handler: Handler): void;
  /** The replay's attempt: `policy.begin(request, previous)`. */
  next(previous: Exchange): Promise<Exchange | undefined>;
  scrub<T>(error: T): T;
}

/** A 401 held while core decides; past this many bytes of body it goes to the caller. */
const HOLD_BYTES = 64 * 1024;

interface Held {
  status: number;
  headers: ResponseHeaders;
  message: string | undefined;
  chunks: Uint8Array[];
  size: number;
  trailers?: ResponseHeaders;
  /** Core's word: replay, or the 401 stands; an error when the refresh failed. */
  ready?: boolean | { error: unknown } | undefined;
}

const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(', ') : value;

/** The one controller the caller is given: it acts on whichever attempt is on the wire. */
class CallController implements Controller {
  readonly #call: AuthorizedCall;
  constructor(call: AuthorizedCall) {
    this.#call = call;
  }
  get aborted() {
    return this.#call.reason !== undefined || (this.#call.current?.aborted ?? false);
  }
  get paused() {
    return this.#call.current?.paused ?? false;
  }
  get reason() {
    return this.#call.reason ?? this.#call.current?.reason ?? null;
  }
  get rawHeaders() {
    return this.#call.current?.rawHeaders;
  }
  get rawTrailers() {
    return this.#call.current?.rawTrailers;
  }
  abort(reason?: unknown) {
    this.#call.abort(reason);
  }
  pause() {
    this.#call.current?.pause();
  }
  resume() {
    this.#call.current?.resume();
  }
}

export class AuthorizedCall {
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

/** Our handler for one attempt on the wire. */
class Attempt implements Handler {
  readonly #call: AuthorizedCall;
  readonly #exchange: Exchange;
  #flowing = false;
  /** This attempt's 401 was answered by a replay: nothing more of it reaches the caller. */
  #replaced = false;
  #held: Held | undefined;

  constructor(call: AuthorizedCall, exchange: Exchange) {
    this.#call = call;
    this.#exchange = exchange;
  }

  onRequestStart(controller: Controller, context: unknown): void {
    const call = this.#call;
    call.current = call.live = controller;
    call.history = (context as { history?: readonly unknown[] } | undefined)?.history;
    if (call.reason !== undefined) controller.abort(call.reason);
    else if (!call.started) {
      call.started = true;
      call.caller.onRequestStart?.(call.controller, context);
    }
  }

  onResponseStarted(): void {
    this.#call.caller.onResponseStarted?.();
  }

  onResponseStart(
    _controller: Controller,
    status: number,
    headers: ResponseHeaders,
    message?: string,
  ): void {
    const call = this.#call;
    if (status < 200 || this.#flowing) {
      call.caller.onResponseStart?.(call.controller, status, headers, message);
      return;
    }
    // An interceptor under ours followed redirects: the answer is from the last URL.
    this.#exchange.answeredFrom(call.history?.at(-1) as URL | undefined);
    const lookup = (name: string) => headerValue(headers[name]);
    const replay = this.#exchange.answer(status, lookup, call.body?.resendable());
    if (!replay) {
      this.#flowing = true;
      call.caller.onResponseStart?.(call.controller, status, headers, message);
      return;
    }
    const held: Held = { status, headers, message, chunks: [], size: 0 };
    this.#held = held;
    replay.then(
      (ready) => this.#settle(held, ready),
      (error: unknown) => this.#settle(held, { error }),
    );
  }

  onResponseData(_controller: Controller, chunk: Uint8Array): void {
    const held = this.#held;
    if (!held) {
      this.#call.caller.onResponseData?.(this.#call.controller, chunk);
      return;
    }
    held.chunks.push(chunk);
    held.size += chunk.byteLength;
    // Too big to hold: the 401 goes to the caller as it is (the refresh still happens).
    if (held.size > HOLD_BYTES) this.#deliver(held);
  }

  onResponseEnd(_controller: Controller, trailers: ResponseHeaders): void {
    this.#call.live = undefined;
    const held = this.#held;
    if (!held) this.#call.end(trailers);
    else {
      held.trailers = trailers;
      this.#settle(held, held.ready);
    }
  }

  onResponseError(_controller: Controller | null, error: unknown): void {
    if (this.#replaced) return;
    const call = this.#call;
    call.live = undefined;
    // Flowing, the caller sees what undici sends, as without us (an error its own
    // onResponseEnd threw, as undici's retry handler does, comes back here).
    if (this.#flowing) call.caller.onResponseError?.(call.controller, call.links.scrub(error));
    else call.fail(error);
  }

  /** Acts once core has decided and the held 401 has ended. */
  #settle(held: Held, ready: Held['ready']): void {
    held.ready = ready;
    if (this.#held !== held || ready === undefined || !held.trailers || this.#call.done) return;
    if (ready === true) {
      this.#replaced = true;
      void this.#call.replay(this.#exchange);
    } else if (ready === false) this.#deliver(held);
    else this.#call.fail(ready.error);
  }

  #deliver(held: Held): void {
    const call = this.#call;
    this.#flowing = true;
    this.#held = undefined;
    call.caller.onResponseStart?.(call.controller, held.status, held.headers, held.message);
    for (const chunk of held.chunks) call.caller.onResponseData?.(call.controller, chunk);
    if (held.trailers) call.end(held.trailers);
  }
}
