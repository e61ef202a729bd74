/**
 * Both ways between the handler API of undici 7 and 8 and the old one of undici 6 (its fetch
 * and `request` hand a dispatcher `onConnect`/`onHeaders`/`onData`/`onComplete`/`onError`),
 * as undici 7's own WrapHandler and UnwrapHandler do. The adapter speaks the new API and
 * dispatches below in the API it was called with, the one the dispatcher there accepts.
 */
import type { Controller, Handler, LegacyHandler, ResponseHeaders } from './handler.ts';

/** The caller's old-style handler, called through the new API. */
export function fromLegacy(legacy: LegacyHandler): Handler {
  return {
    onRequestStart: (controller, context) =>
      legacy.onConnect?.((reason) => controller.abort(reason), context),
    onResponseStarted: () => legacy.onResponseStarted?.(),
    onResponseStart(controller, status, _headers, message) {
      const resume = () => controller.resume();
      if (legacy.onHeaders?.(status, controller.rawHeaders, resume, message) === false) {
        controller.pause();
      }
    },
    onResponseData(controller, chunk) {
      if (legacy.onData?.(chunk) === false) controller.pause();
    },
    onResponseEnd: (controller) => legacy.onComplete?.(controller.rawTrailers ?? []),
    onResponseError: (_controller, error) => legacy.onError?.(error),
  };
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
export function toLegacy(handler: Handler): LegacyHandler {
  let abort: (reason?: unknown) => void = () => undefined;
  let resume: (() => void) | undefined;
  const controller = {
    aborted: false as boolean,
    paused: false as boolean,
    reason: null as unknown,
    rawHeaders: null as unknown,
    rawTrailers: null as unknown,
    abort(reason?: unknown) {
      if (controller.aborted) return;
      controller.aborted = true;
      controller.reason = reason;
      abort(reason);
    },
    pause: () => {
      controller.paused = true;
    },
    resume() {
      if (!controller.paused) return;
      controller.paused = false;
      resume?.();
    },
  } satisfies Controller;
  return {
    onConnect(abortRequest, context) {
      abort = abortRequest;
      handler.onRequestStart?.(controller, context);
    },
    onResponseStarted: () => handler.onResponseStarted?.(),
    onHeaders(status, rawHeaders, resumeResponse, message) {
      resume = resumeResponse;
      controller.rawHeaders = rawHeaders;
      handler.onResponseStart?.(controller, status, parsed(rawHeaders), message);
      return !controller.paused;
    },
    onData(chunk) {
      handler.onResponseData?.(controller, chunk);
      return !controller.paused;
    },
    onComplete(rawTrailers) {
      controller.rawTrailers = rawTrailers;
      handler.onResponseEnd?.(controller, parsed(rawTrailers));
    },
    onError: (error) => handler.onResponseError?.(controller, error),
  };
}
