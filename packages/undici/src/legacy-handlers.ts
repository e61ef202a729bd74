/**
 * Both ways between the handler API of undici 7 and 8 and the old one of undici 6 (its fetch
 * and `request` hand a dispatcher `onConnect`/`onHeaders`/`onData`/`onComplete`/`onError`),
 * as undici 7's own WrapHandler and UnwrapHandler do. The adapter speaks the new API and
 * dispatches below in the API it was called with, the one the dispatcher there accepts.
 */
import type { Controller, Handler, LegacyHandler, ResponseHeaders } from './handler.ts';

/** The caller's old-style handler, called through the new API. */
export class FromLegacy implements Handler {
  readonly #legacy: LegacyHandler;
  constructor(legacy: LegacyHandler) {
    this.#legacy = legacy;
  }
  onRequestStart(controller: Controller, context: unknown) {
    this.#legacy.onConnect?.((reason) => controller.abort(reason), context);
  }
  onResponseStarted() {
    this.#legacy.onResponseStarted?.();
  }
  onResponseStart(controller: Controller, status: number, _h: ResponseHeaders, message?: string) {
    const resume = () => controller.resume();
    if (this.#legacy.onHeaders?.(status, controller.rawHeaders, resume, message) === false) {
      controller.pause();
    }
  }
  onResponseData(controller: Controller, chunk: Uint8Array) {
    if (this.#legacy.onData?.(chunk) === false) controller.pause();
  }
  onResponseEnd(controller: Controller) {
    this.#legacy.onComplete?.(controller.rawTrailers ?? []);
  }
  onResponseError(_controller: Controller | null, error: unknown) {
    this.#legacy.onError?.(error);
  }
}

/** Undici 6's raw `[name, value, ...]` headers as the record the new API passes. */
function parsed(raw: unknown): ResponseHeaders {
  const headers: Record<string, string | string[]> = {};
  if (!Array.isArray(raw)) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    const value = String(raw[i + 1]);
    const before = headers[name];
    headers[name] = before === undefined ? value : [before, value].flat();
  }
  return headers;
}

/** A new-API handler as an old-style one, for a dispatcher below that takes only those. */
export class ToLegacy implements LegacyHandler, Controller {
  readonly #handler: Handler;
  #abort: (reason?: unknown) => void = () => undefined;
  #resume: (() => void) | undefined;
  aborted = false;
  paused = false;
  reason: unknown = null;
  rawHeaders: unknown = null;
  rawTrailers: unknown = null;

  constructor(handler: Handler) {
    this.#handler = handler;
  }
  // The controller the new-API handler is given.
  abort(reason?: unknown) {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#abort(reason);
  }
  pause() {
    this.paused = true;
  }
  resume() {
    if (!this.paused) return;
    this.paused = false;
    this.#resume?.();
  }
  // The old-style handler undici 6 calls.
  onConnect(abort: (reason?: unknown) => void, context?: unknown) {
    this.#abort = abort;
    this.#handler.onRequestStart?.(this, context);
  }
  onResponseStarted() {
    this.#handler.onResponseStarted?.();
  }
  onHeaders(status: number, rawHeaders: unknown, resume: () => void, message?: string) {
    this.#resume = resume;
    this.rawHeaders = rawHeaders;
    this.#handler.onResponseStart?.(this, status, parsed(rawHeaders), message);
    return !this.paused;
  }
  onData(chunk: Uint8Array) {
    this.#handler.onResponseData?.(this, chunk);
    return !this.paused;
  }
  onComplete(rawTrailers: unknown) {
    this.rawTrailers = rawTrailers;
    this.#handler.onResponseEnd?.(this, parsed(rawTrailers));
  }
  onError(error: unknown) {
    this.#handler.onResponseError?.(this, error);
  }
}
