/**
 * One dispatch we authorize, from the caller's handler's point of view: one controller and
 * one `onRequestStart` across our replay, every answer reported to core, and a 401 that core
 * may replay held (status, headers, up to 64 KiB of body) until core decides: sent again
 * with the fresh token, or delivered as it came.
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
  ready?: boolean | { error: unknown };
}

const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(', ') : value;

export class AuthorizedCall {
  readonly #caller: Handler;
  readonly #links: CallLinks;
  readonly #options: DispatchOptions;
  readonly #headers: HeaderRecord;
  #body: KeptBody | undefined;
  /** The attempt the caller's controller acts on, and the one whose response is still coming. */
  #current: Controller | undefined;
  #live: Controller | undefined;
  #history: readonly unknown[] | undefined;
  #started = false;
  #done = false;
  #reason: unknown;
  /** The one controller the caller is given, whichever attempt is on the wire. */
  readonly controller: Controller;

  constructor(caller: Handler, options: DispatchOptions, headers: HeaderRecord, links: CallLinks) {
    this.#caller = caller;
    this.#links = links;
    this.#options = options;
    this.#headers = headers;
    const call = this;
    this.controller = {
      get aborted() {
        return call.#reason !== undefined || (call.#current?.aborted ?? false);
      },
      get paused() {
        return call.#current?.paused ?? false;
      },
      get reason() {
        return call.#reason ?? call.#current?.reason ?? null;
      },
      get rawHeaders() {
        return call.#current?.rawHeaders;
      },
      get rawTrailers() {
        return call.#current?.rawTrailers;
      },
      abort: (reason) => call.#abort(reason),
      pause: () => call.#current?.pause(),
      resume: () => call.#current?.resume(),
    };
  }

  /** Sends the first attempt, with `exchange`'s headers. */
  start(exchange: Exchange, body: KeptBody): void {
    this.#body = body;
    this.#send(exchange, body.first);
  }

  #send(exchange: Exchange, body: unknown): void {
    if (this.#done) return;
    const headers = { ...this.#headers };
    exchange.apply(recordHeaders(headers));
    this.#links.send({ ...this.#options, headers, body }, this.#attempt(exchange));
  }

  /** Hands the caller `error` (masked), once. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#caller.onResponseError?.(this.controller, this.#links.scrub(error));
  }

  #abort(reason: unknown): void {
    if (this.#done || this.#reason !== undefined) return;
    this.#reason = reason ?? new Error('aborted');
    if (this.#live) this.#live.abort(this.#reason);
    else this.fail(this.#reason);
  }

  async #replay(previous: Exchange): Promise<void> {
    try {
      const next = await this.#links.next(previous);
      if (next) this.#send(next, this.#body?.again());
      else this.fail(new Error('the replay was not authorized'));
    } catch (error) {
      this.fail(error);
    }
  }

  #attempt(exchange: Exchange): Handler {
    const call = this;
    const caller = this.#caller;
    let flowing = false;
    /** This attempt's 401 was answered by a replay: nothing more of it reaches the caller. */
    let replaced = false;
    let held: Held | undefined;

    const deliver = (h: Held) => {
      flowing = true;
      held = undefined;
      caller.onResponseStart?.(call.controller, h.status, h.headers, h.message);
      for (const chunk of h.chunks) caller.onResponseData?.(call.controller, chunk);
      if (h.trailers) call.#end(h.trailers);
    };
    const settle = () => {
      if (!held || held.ready === undefined || !held.trailers || call.#done) return;
      const { ready } = held;
      if (ready === true) {
        replaced = true;
        void call.#replay(exchange);
      } else if (ready === false) deliver(held);
      else call.fail(ready.error);
    };

    return {
      onRequestStart(controller, context) {
        call.#current = call.#live = controller;
        call.#history = (context as { history?: readonly unknown[] } | undefined)?.history;
        if (call.#reason !== undefined) return controller.abort(call.#reason);
        if (call.#started) return;
        call.#started = true;
        caller.onRequestStart?.(call.controller, context);
      },
      onResponseStarted: () => caller.onResponseStarted?.(),
      onResponseStart(_controller, status, headers, message) {
        if (status < 200 || flowing) {
          return caller.onResponseStart?.(call.controller, status, headers, message);
        }
        // An interceptor under ours followed redirects: the answer is from the last URL.
        exchange.answeredFrom(call.#history?.at(-1) as URL | undefined);
        const lookup = (name: string) => headerValue(headers[name]);
        const replay = exchange.answer(status, lookup, call.#body?.resendable());
        if (!replay) {
          flowing = true;
          return caller.onResponseStart?.(call.controller, status, headers, message);
        }
        const waiting: Held = { status, headers, message, chunks: [], size: 0 };
        held = waiting;
        replay.then(
          (ready) => {
            waiting.ready = ready;
            settle();
          },
          (error: unknown) => {
            waiting.ready = { error };
            settle();
          },
        );
      },
      onResponseData(_controller, chunk) {
        if (!held) return caller.onResponseData?.(call.controller, chunk);
        held.chunks.push(chunk);
        held.size += chunk.byteLength;
        // Too big to hold: the 401 goes to the caller as it is (the refresh still happens).
        if (held.size > HOLD_BYTES) deliver(held);
      },
      onResponseEnd(_controller, trailers) {
        call.#live = undefined;
        if (!held) return call.#end(trailers);
        held.trailers = trailers;
        settle();
      },
      onResponseError(_controller, error) {
        if (replaced) return;
        call.#live = undefined;
        // Flowing, the caller sees what undici sends, as without us (an error its own
        // onResponseEnd threw, as undici's retry handler does, comes back here).
        if (flowing) caller.onResponseError?.(call.controller, call.#links.scrub(error));
        else call.fail(error);
      },
    };
  }

  #end(trailers: ResponseHeaders): void {
    if (this.#done) return;
    this.#done = true;
    this.#caller.onResponseEnd?.(this.controller, trailers);
  }
}
