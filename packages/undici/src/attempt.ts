/**
 * Our handler for one attempt of a call on the wire: every answer goes to core, and a 401
 * that core may replay is held (status, headers, up to 64 KiB of body) until core decides:
 * the call sends it again with the fresh token, or the 401 goes to the caller as it came.
 */
import type { Exchange, KeptBody } from '@m2m-auth/core/adapter';
import type { Controller, Handler, ResponseHeaders } from './handler.ts';

/** What an attempt needs of its call (authorized-call.ts). */
export interface AttemptCall {
  readonly caller: Handler;
  /** The controller the caller is given. */
  readonly controller: Controller;
  readonly body: KeptBody | undefined;
  readonly done: boolean;
  /** Why the caller aborted. */
  readonly reason: unknown;
  readonly links: { scrub<T>(error: T): T };
  current: Controller | undefined;
  live: Controller | undefined;
  history: readonly unknown[] | undefined;
  started: boolean;
  end(trailers: ResponseHeaders): void;
  fail(error: unknown): void;
  replay(previous: Exchange): Promise<void>;
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

export class Attempt implements Handler {
  readonly #call: AttemptCall;
  readonly #exchange: Exchange;
  #flowing = false;
  /** This attempt's 401 was answered by a replay: nothing more of it reaches the caller. */
  #replaced = false;
  #held: Held | undefined;

  constructor(call: AttemptCall, exchange: Exchange) {
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
