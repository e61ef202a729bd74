/**
 * The shapes of undici's dispatch, written out so the adapter imports nothing from undici at
 * run time and fits undici 6, 7 and 8 alike: the handler API undici 7 and 8 call (`onRequestStart`,
 * `onResponseStart`, ...), the old one undici 6 calls (`onConnect`, `onHeaders`, ...).
 */

export interface DispatchOptions {
  origin?: string | URL | null;
  path: string;
  method?: string;
  headers?: unknown;
  body?: unknown;
  upgrade?: unknown;
  signal?: unknown;
  [option: string]: unknown;
}

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface Controller {
  readonly aborted: boolean;
  readonly paused: boolean;
  readonly reason: unknown;
  readonly rawHeaders?: unknown;
  readonly rawTrailers?: unknown;
  abort(reason?: unknown): void;
  pause(): void;
  resume(): void;
}

export interface Handler {
  onRequestStart?(controller: Controller, context: unknown): void;
  onResponseStarted?(): void;
  onResponseStart?(
    controller: Controller,
    status: number,
    headers: ResponseHeaders,
    message?: string,
  ): void;
  onResponseData?(controller: Controller, chunk: Uint8Array): void;
  onResponseEnd?(controller: Controller, trailers: ResponseHeaders): void;
  onResponseError?(controller: Controller | null, error: unknown): void;
}

export interface LegacyHandler {
  onConnect?(abort: (reason?: unknown) => void, context?: unknown): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, rawHeaders: unknown, resume: () => void, message?: string): boolean;
  onData?(chunk: Uint8Array): boolean;
  onComplete?(rawTrailers: unknown): void;
  onError?(error: unknown): void;
}

/** `dispatch(options, handler)`: exactly two parameters, as `compose()` checks. */
// biome-ignore lint/suspicious/noExplicitAny: undici 6, 7 and 8 each type options and handlers their own way
export type Dispatch = (options: any, handler: any) => boolean;
