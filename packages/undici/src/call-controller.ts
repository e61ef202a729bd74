/**
 * The one controller a caller is given for a call we authorize: it acts on whichever attempt
 * is on the wire (the first, or our replay).
 */
import type { Controller } from './handler.ts';

/** What the controller needs of its call. */
export interface ControlledCall {
  /** The attempt on the wire (its controller). */
  readonly current: Controller | undefined;
  /** Why the caller aborted. */
  readonly reason: unknown;
  abort(reason?: unknown): void;
}

export class CallController implements Controller {
  readonly #call: ControlledCall;
  constructor(call: ControlledCall) {
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
