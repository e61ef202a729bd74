/**
 * One HTTP exchange with the authorization server (a token request, a metadata read): a
 * per-attempt timeout, at most `maxBytes` read, and transport failures turned into typed,
 * redacted errors. What the answer means is for the caller.
 */
import {
  ErrorCode,
  isM2MAuthError,
  TokenHttpError,
  TokenNetworkError,
  TokenResponseError,
  TokenTimeoutError,
} from './errors.ts';
import { asOwnRequest } from './own-requests.ts';
import type { Redactor } from './redactor.ts';

/** The fetch the provider talks to the authorization server with (proxies, mTLS). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ExchangeLimits {
  fetch: FetchLike;
  timeoutMs: number;
  maxResponseBytes: number;
  redactor: Redactor;
  /** Names the exchange in errors: "Token request", "Metadata request". */
  what: string;
}

export interface Exchanged {
  response: Response;
  text: string;
  /** Local time the answer arrived (for the server's `Date`). */
  receivedAt: number;
}

async function readLimited(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  const tooLarge = () =>
    new TokenResponseError(
      ErrorCode.RESPONSE_TOO_LARGE,
      `${what.replace('request', 'response')} is larger than ${maxBytes} bytes`,
      {
        status: response.status,
      },
    );
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

export async function exchange(
  url: string,
  init: RequestInit,
  limits: ExchangeLimits,
): Promise<Exchanged> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limits.timeoutMs);
  try {
    // Credentials never follow a redirect. 'manual', not 'error': Cloudflare's workerd
    // refuses `redirect: 'error'` outright, and a 3xx seen here is refused just the same.
    const response = await asOwnRequest(url, () =>
      limits.fetch(url, { ...init, signal: controller.signal, redirect: 'manual' }),
    );
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel().catch(() => {});
      const status = response.status || 302;
      const where = limits.what === 'Token request' ? 'Token endpoint' : limits.what;
      throw new TokenHttpError(
        status,
        {},
        `${where} answered a redirect (HTTP ${status}); credentials never follow one: configure the final URL`,
      );
    }
    const text = await readLimited(response, limits.maxResponseBytes, limits.what);
    return { response, text, receivedAt: Date.now() };
  } catch (error) {
    if (timedOut) throw new TokenTimeoutError(limits.timeoutMs, limits.what);
    if (isM2MAuthError(error)) throw error;
    const where = limits.what === 'Token request' ? 'Token endpoint' : limits.what;
    throw new TokenNetworkError(
      `${where} unreachable: ${limits.redactor.redact(describe(error))}`,
      { cause: limits.redactor.redactError(error) },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** "fetch failed (ECONNREFUSED)": the useful part of undici's nested errors. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ? `${error.message} (${code})` : error.message;
}
