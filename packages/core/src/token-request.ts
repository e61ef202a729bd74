/**
 * A complete token request: the server's target (discovered once when only the issuer is
 * known), the client auth method (given, chosen from the metadata, or `auto`'s probing and
 * memory), the secret re-read on `invalid_client` when it is a function, around the retried
 * HTTP exchange.
 */

import { sleep } from './abort.ts';
import { autoCandidates, type ClientAuth, type ClientAuthMethod } from './client-auth.ts';
import {
  DiscoveryError,
  ErrorCode,
  isM2MAuthError,
  isOAuthError,
  type M2MAuthError,
} from './errors.ts';
import { type RetryPolicy, retryDelay } from './retry.ts';
import { requestToken, type TokenEndpoint } from './token-endpoint.ts';
import type { ParsedToken } from './token-response.ts';
import type { ServerTarget } from './token-server.ts';

export interface TokenRequest {
  endpoint: TokenEndpoint;
  /** `undefined`: choose from the discovered metadata. */
  clientAuth: ClientAuth | undefined;
  retry: RetryPolicy;
  /** What `auto` found to work for this token URL and client; shared by every scope. */
  autoMemory: { method?: ClientAuthMethod | undefined };
  onRetry(attempt: number, delayMs: number, error: M2MAuthError): void;
  onFallback(from: ClientAuthMethod, to: ClientAuthMethod): void;
  onClockSkew(offsetMs: number): void;
  onSecretReread(changed: boolean): void;
}

async function withRetries<T>(request: TokenRequest, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const delayMs = retryDelay(error, n, request.retry);
      if (delayMs === undefined || !isM2MAuthError(error)) throw error;
      request.onRetry(n, delayMs, error);
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

/** Our preference among what the metadata lists (RFC 8414: absent means Basic only). */
function fromMetadata(request: TokenRequest, target: ServerTarget): ClientAuthMethod {
  const listed = target.authMethods ?? ['client_secret_basic'];
  const { credentials } = request.endpoint;
  const hasSecret = credentials.secret.current() !== undefined;
  const preference: ClientAuthMethod[] = [
    ...(credentials.assertions.private_key_jwt ? (['private_key_jwt'] as const) : []),
    ...(hasSecret
      ? (['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const)
      : []),
  ];
  const method = preference.find((m) => listed.includes(m));
  if (!method) {
    throw new DiscoveryError(
      `The server lists no client authentication this client can do (it lists: ${listed.join(', ')})`,
    );
  }
  return method;
}

function candidates(request: TokenRequest, target: ServerTarget): ClientAuthMethod[] {
  const clientAuth = request.clientAuth ?? fromMetadata(request, target);
  if (clientAuth !== 'auto') return [clientAuth];
  const { clientId, secret } = request.endpoint.credentials;
  const all = autoCandidates(clientId, secret.current() ?? '');
  const known = request.autoMemory.method;
  return known ? [known, ...all.filter((m) => m !== known)] : all;
}

export async function fetchToken(request: TokenRequest): Promise<ParsedToken> {
  const target = await withRetries(request, () => request.endpoint.server.resolve());
  const { secret } = request.endpoint.credentials;
  await secret.load();
  const methods = candidates(request, target);
  let reread = false;
  let clockMoved = false;
  let clockRetried = false;
  const onClockSkew = (offsetMs: number) => {
    clockMoved = true;
    request.onClockSkew(offsetMs);
  };
  for (let i = 0; ; ) {
    const method = methods[i] as ClientAuthMethod;
    const used = secret.current(); // what this attempt sends: another flight may rotate it
    try {
      const token = await withRetries(request, () =>
        requestToken(request.endpoint, method, target, onClockSkew),
      );
      if (request.clientAuth === 'auto') request.autoMemory.method = method;
      return token;
    } catch (error) {
      if (!clientRejected(error)) throw error;
      // An assertion refused by a server whose clock we just learnt: sign it again in its time.
      if (clockMoved && !clockRetried && method.endsWith('_jwt')) {
        clockRetried = true;
        continue;
      }
      // A secret function is asked once more: it may hold the rotated secret by now.
      if (!reread && secret.rotates && method.startsWith('client_secret')) {
        reread = true;
        const changed = secret.current() !== used || (await secret.reread());
        request.onSecretReread(changed);
        if (changed) continue;
      }
      const next = methods[i + 1];
      if (!next) throw error;
      if (request.autoMemory.method === method) request.autoMemory.method = undefined;
      request.onFallback(method, next);
      i++;
    }
  }
}
