/**
 * A complete token request: the client auth method (with `auto`'s probing and memory)
 * around the retried HTTP exchange.
 */

import { sleep } from './abort.ts';
import { autoCandidates, type ClientAuth, type ClientAuthMethod } from './client-auth.ts';
import { ErrorCode, isM2MAuthError, isOAuthError, type M2MAuthError } from './errors.ts';
import { type RetryPolicy, retryDelay } from './retry.ts';
import { requestToken, type TokenEndpoint } from './token-endpoint.ts';
import type { ParsedToken } from './token-response.ts';

export interface TokenRequest {
  endpoint: TokenEndpoint;
  clientAuth: ClientAuth;
  retry: RetryPolicy;
  /** What `auto` found to work for this token URL and client; shared by every scope. */
  autoMemory: { method?: ClientAuthMethod | undefined };
  onRetry(attempt: number, delayMs: number, error: M2MAuthError): void;
  onFallback(from: ClientAuthMethod, to: ClientAuthMethod): void;
}

async function withRetries(request: TokenRequest, method: ClientAuthMethod): Promise<ParsedToken> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestToken(request.endpoint, method);
    } catch (error) {
      const delayMs = retryDelay(error, attempt, request.retry);
      if (delayMs === undefined || !isM2MAuthError(error)) throw error;
      request.onRetry(attempt, delayMs, error);
      await sleep(delayMs);
    }
  }
}

/** The server did not accept this way of presenting the credentials. */
function clientRejected(error: unknown): boolean {
  return (
    (isOAuthError(error) && error.error === 'invalid_client') ||
    (isM2MAuthError(error) && error.code === ErrorCode.HTTP && error.status === 401)
  );
}

function candidates(request: TokenRequest): ClientAuthMethod[] {
  if (request.clientAuth !== 'auto') return [request.clientAuth];
  const { clientId, clientSecret } = request.endpoint.credentials;
  const all = autoCandidates(clientId, clientSecret);
  const known = request.autoMemory.method;
  return known ? [known, ...all.filter((m) => m !== known)] : all;
}

export async function fetchToken(request: TokenRequest): Promise<ParsedToken> {
  const methods = candidates(request);
  for (let i = 0; ; i++) {
    const method = methods[i] as ClientAuthMethod;
    try {
      const token = await withRetries(request, method);
      if (request.clientAuth === 'auto') request.autoMemory.method = method;
      return token;
    } catch (error) {
      const next = methods[i + 1];
      if (!next || !clientRejected(error)) throw error;
      if (request.autoMemory.method === method) request.autoMemory.method = undefined;
      request.onFallback(method, next);
    }
  }
}
