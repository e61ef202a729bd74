/**
 * A complete token request: the server's target (discovered once when only the issuer is
 * known), the client auth method (given, chosen from the metadata, or `auto`'s probing and
 * memory), the credentials loaded before it and re-read once when the server refuses them
 * (a secret function or file, an assertion from outside), around the retried HTTP exchange.
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
import type { SecretSource } from './secret-source.ts';
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
  /** `credential`: which one was read again (`clientSecret`, `clientAssertion.assertion`...). */
  onSecretReread(changed: boolean, credential: string): void;
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

/**
 * The server did not accept the client's credentials or this way of presenting them:
 * `invalid_client`, a bare 401, and the 401s of servers that name it otherwise (Auth0's
 * `access_denied`, Keycloak's `unauthorized_client`; their 403s are about permissions).
 */
function clientRejected(error: unknown): boolean {
  if (isOAuthError(error)) {
    return (
      error.error === 'invalid_client' ||
      (error.status === 401 && ['access_denied', 'unauthorized_client'].includes(error.error))
    );
  }
  // Stryker disable next-line ConditionalExpression: equivalent, only an HTTP error of ours has a 401 status here
  return isM2MAuthError(error) && error.code === ErrorCode.HTTP && error.status === 401;
}

/** The server did not accept the grant's own credential (an assertion, a subject token). */
const grantRejected = (error: unknown) => isOAuthError(error) && error.error === 'invalid_grant';

/** What a rejection (of the client or of the grant) asks to be read again. */
function refusedCredentials(
  request: TokenRequest,
  method: ClientAuthMethod,
  error: unknown,
): Array<readonly [string, SecretSource]> {
  const { credentials, grant } = request.endpoint;
  if (grantRejected(error)) return [...grant.sources];
  if (method.startsWith('client_secret')) return [['clientSecret', credentials.secret]];
  const signer = method === 'private_key_jwt' ? credentials.assertions.private_key_jwt : undefined;
  // Stryker disable next-line ArrayDeclaration: equivalent, the caller keeps only sources that rotate
  return signer?.source ? [['clientAssertion.assertion', signer.source]] : [];
}

/** Every credential read before a token request (a file is stat'ed here, once per request). */
function credentialSources(request: TokenRequest): SecretSource[] {
  const { credentials, grant } = request.endpoint;
  return [
    credentials.secret,
    ...Object.values(credentials.assertions).flatMap((s) => (s.source ? [s.source] : [])),
    ...grant.sources.map(([, source]) => source),
  ];
}

/** The methods we prefer, in order, among those the metadata lists. */
const OURS_FIRST = [
  'private_key_jwt',
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
] as const;

/** Our preference among what the metadata lists (RFC 8414: absent means Basic only). */
function fromMetadata(request: TokenRequest, target: ServerTarget): ClientAuthMethod {
  const listed = target.authMethods ?? ['client_secret_basic'];
  const { credentials } = request.endpoint;
  const hasSecret = credentials.secret.current() !== undefined;
  const preference = OURS_FIRST.filter((m) =>
    m === 'private_key_jwt' ? credentials.assertions.private_key_jwt !== undefined : hasSecret,
  );
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
  // `auto` needs a secret (resolveOptions), loaded before this.
  const all = autoCandidates(clientId, secret.current() as string);
  const known = request.autoMemory.method;
  return known ? [known, ...all.filter((m) => m !== known)] : all;
}

export async function fetchToken(request: TokenRequest): Promise<ParsedToken> {
  const target = await withRetries(request, () => request.endpoint.server.resolve());
  const now = request.endpoint.server.clock.now();
  await Promise.all(credentialSources(request).map((source) => source.load(now)));
  const methods = candidates(request, target);
  const reread = new Set<SecretSource>();
  let clockMoved = false;
  let clockRetried = false;
  const onClockSkew = (offsetMs: number) => {
    clockMoved = true;
    request.onClockSkew(offsetMs);
  };
  for (let i = 0; ; ) {
    const method = methods[i] as ClientAuthMethod;
    // What this attempt sends: another flight may rotate it meanwhile.
    const used = new Map(credentialSources(request).map((source) => [source, source.current()]));
    try {
      const token = await withRetries(request, () =>
        requestToken(request.endpoint, method, target, onClockSkew),
      );
      request.autoMemory.method = method; // read by `auto` alone
      return token;
    } catch (error) {
      const byClient = clientRejected(error);
      if (!byClient && !grantRejected(error)) throw error;
      // An assertion refused by a server whose clock we just learnt: sign it again in its time.
      const signed = byClient ? method.endsWith('_jwt') : request.endpoint.grant.signs;
      if (clockMoved && !clockRetried && signed) {
        clockRetried = true;
        continue;
      }
      // A function or file is asked once more: it may hold the rotated credential by now.
      let changed = false;
      for (const [name, source] of refusedCredentials(request, method, error)) {
        if (!source.rotates || reread.has(source)) continue;
        reread.add(source);
        const fresh = source.current() !== used.get(source) || (await source.reread());
        request.onSecretReread(fresh, name);
        changed ||= fresh;
      }
      if (changed) continue;
      const next = byClient ? methods[i + 1] : undefined; // `auto` moves on for the client only
      if (!next) throw error;
      // Stryker disable next-line ConditionalExpression: differs only when a concurrent flight of this client remembered another method meanwhile; either is safe (auto probes again)
      if (request.autoMemory.method === method) request.autoMemory.method = undefined;
      request.onFallback(method, next);
      i++;
    }
  }
}
