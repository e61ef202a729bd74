/**
 * One token request on the wire: build the form, authenticate the client, POST with a
 * per-attempt timeout, read at most `maxResponseBytes`, and hand the text to the parser.
 */
import { applyClientAuth, type ClientAuthMethod, type ClientCredentials } from './client-auth.ts';
import {
  ErrorCode,
  isM2MAuthError,
  TokenNetworkError,
  TokenResponseError,
  TokenTimeoutError,
} from './errors.ts';
import type { Redactor } from './redactor.ts';
import { parseRetryAfter } from './retry.ts';
import { type ParsedToken, readTokenResponse } from './token-response.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TokenEndpoint {
  tokenUrl: string;
  credentials: ClientCredentials;
  /** grant_type, scope, audience, resource and extra params, in order. */
  params: ReadonlyArray<readonly [string, string]>;
  fetch: FetchLike;
  timeoutMs: number;
  maxResponseBytes: number;
  defaultLifetimeMs: number;
  redactor: Redactor;
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  const tooLarge = () =>
    new TokenResponseError(
      ErrorCode.RESPONSE_TOO_LARGE,
      `Token response is larger than ${maxBytes} bytes`,
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

export async function requestToken(
  endpoint: TokenEndpoint,
  method: ClientAuthMethod,
): Promise<ParsedToken> {
  const headers = new Headers({
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  });
  const body = new URLSearchParams(endpoint.params as Array<[string, string]>);
  applyClientAuth(method, endpoint.credentials, headers, body);

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, endpoint.timeoutMs);
  const now = Date.now();
  try {
    const response = await endpoint.fetch(endpoint.tokenUrl, {
      method: 'POST',
      headers,
      body: body.toString(),
      signal: controller.signal,
      redirect: 'error',
    });
    const text = await readLimited(response, endpoint.maxResponseBytes);
    return readTokenResponse(
      text,
      {
        status: response.status,
        contentType: response.headers.get('content-type'),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
        redact: endpoint.redactor.redact,
      },
      endpoint.defaultLifetimeMs,
      now,
    );
  } catch (error) {
    if (timedOut) throw new TokenTimeoutError(endpoint.timeoutMs);
    if (isM2MAuthError(error)) throw error;
    throw new TokenNetworkError(
      `Token endpoint unreachable: ${endpoint.redactor.redact(describe(error))}`,
      {
        cause: endpoint.redactor.redactError(error),
      },
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
