/**
 * Faults the authorization server injects into the next N token requests, in order.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from './http.ts';

export type Fault =
  /** Answer normally: aims the faults queued after it at later requests. */
  | { type: 'pass' }
  /** Answer with this status and an RFC 6749 error body (`server_error`). */
  | { type: 'status'; status: number }
  /** 429 with `Retry-After` (seconds, default 1). */
  | { type: 'rate-limit'; retryAfterSeconds?: number }
  /** Wait, then answer normally. */
  | { type: 'delay'; ms: number }
  /** Destroy the socket without answering. */
  | { type: 'reset' }
  /** 200 with an HTML page (a captive portal or a misrouted proxy). */
  | { type: 'html' }
  /** 200 JSON without `access_token`. */
  | { type: 'no-access-token' }
  /** A normal token with `expires_in: "abc"`. */
  | { type: 'bad-expires-in' }
  /**
   * A normal token whose answer has `set` merged over its members and `omit` left out: a
   * vendor's shape (Salesforce's `instance_url` and no `expires_in`, Entra's `refresh_in`).
   */
  | { type: 'members'; set?: Record<string, unknown>; omit?: readonly string[] }
  /** 200 JSON padded to `bytes` (default 1 MiB). */
  | { type: 'oversized'; bytes?: number };

export interface FaultQueue {
  inject(fault: Fault, times?: number): void;
  /** The fault for this request, if any (consumes one). */
  next(): Fault | undefined;
  clear(): void;
}

export function createFaultQueue(): FaultQueue {
  const queue: Fault[] = [];
  return {
    inject(fault, times = 1) {
      for (let i = 0; i < times; i++) queue.push(fault);
    },
    next: () => queue.shift(),
    clear() {
      queue.length = 0;
    },
  };
}

/**
 * Answers a request with `fault` when the fault replaces the answer; returns false for the
 * faults that only change a normal answer (`delay`, `bad-expires-in`, `members`).
 */
export function answerWithFault(res: ServerResponse, fault: Fault): boolean {
  switch (fault.type) {
    case 'status':
      sendJson(res, fault.status, { error: 'server_error', error_description: 'injected fault' });
      return true;
    case 'rate-limit':
      sendJson(
        res,
        429,
        { error: 'slow_down' },
        { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
      );
      return true;
    case 'reset':
      res.socket?.destroy();
      return true;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body><h1>Sign in to the Wi-Fi</h1></body></html>');
      return true;
    case 'no-access-token':
      sendJson(res, 200, { token_type: 'Bearer', expires_in: 3600 });
      return true;
    case 'oversized':
      sendJson(res, 200, { access_token: 'x', padding: 'x'.repeat(fault.bytes ?? 1024 * 1024) });
      return true;
    default:
      return false;
  }
}
