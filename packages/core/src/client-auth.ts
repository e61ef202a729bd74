/**
 * How the client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 7523, RFC 8705).
 *
 * - `client_secret_basic`: HTTP Basic over the form-encoded id and secret, as §2.3.1 says.
 *   Alphanumerics and `-._*` are unchanged by that encoding, so everyday credentials produce
 *   the same header as raw Basic.
 * - `client_secret_basic_raw`: HTTP Basic over the id and secret as they are, for servers
 *   that do not decode (strict encoding broke eBay and Google for other libraries).
 * - `client_secret_post`: `client_id` and `client_secret` in the form body.
 * - `private_key_jwt` / `client_secret_jwt`: a signed assertion (client-assertion.ts) and
 *   `client_id` in the body.
 * - `tls_client_auth` / `self_signed_tls_client_auth`: the TLS client certificate (on the
 *   user's `fetch`) authenticates; only `client_id` goes in the body (RFC 8705 §2).
 * - `none`: no client authentication, for grants whose assertion is the credential (a
 *   Google service account's jwt-bearer, Google STS token exchange); `client_id` only with
 *   `clientIdInBody`.
 */
import { base64url } from 'jose';
import type { AssertionSigner, ClientAssertionOptions } from './client-assertion.ts';
import { ASSERTION_TYPE } from './client-assertion.ts';
import { ConfigError } from './errors.ts';
import type { SecretSource } from './secret-source.ts';

export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_basic_raw'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'client_secret_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth'
  | 'none';
/** `auto` tries Basic, then raw Basic (if it differs), then post, and remembers what worked. */
export type ClientAuth = ClientAuthMethod | 'auto';

export interface ClientCredentials {
  clientId: string;
  /** The secret (see secret-source.ts); its `current()` is `undefined` for secretless clients. */
  secret: SecretSource;
  /** Also send `client_id` in the body with Basic (AWS Cognito-based servers want both) or `none`. */
  clientIdInBody: boolean;
  /** Signs assertions for the assertion methods. */
  assertions: Partial<Record<'private_key_jwt' | 'client_secret_jwt', AssertionSigner>>;
  /** `aud` of assertions: the token endpoint, or the issuer. */
  assertionAudience: ClientAssertionOptions['audience'];
}

/** Where the assertion is going and when, for its `aud` and `iat`. */
export interface AuthContext {
  tokenUrl: string;
  issuer: string | undefined;
  /** Server time, ms. */
  now: number;
}

/** `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B). */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function basicAuthorization(
  clientId: string,
  clientSecret: string,
  encode: boolean,
): string {
  const pair = encode
    ? `${formEncode(clientId)}:${formEncode(clientSecret)}`
    : `${clientId}:${clientSecret}`;
  return `Basic ${base64Utf8(pair)}`;
}

function assertionAudience(credentials: ClientCredentials, context: AuthContext): string {
  const audience = credentials.assertionAudience ?? 'token_endpoint';
  if (audience === 'token_endpoint') return context.tokenUrl;
  if (audience === 'issuer') return context.issuer as string; // options.ts insists on one
  return audience;
}

/** Puts the credentials where `method` wants them. */
export async function applyClientAuth(
  method: ClientAuthMethod,
  credentials: ClientCredentials,
  context: AuthContext,
  headers: Headers,
  body: URLSearchParams,
): Promise<void> {
  const { clientId } = credentials;
  if (method === 'none') {
    if (credentials.clientIdInBody && clientId) body.set('client_id', clientId);
    return;
  }
  if (method === 'tls_client_auth' || method === 'self_signed_tls_client_auth') {
    body.set('client_id', clientId);
    return;
  }
  if (method === 'private_key_jwt' || method === 'client_secret_jwt') {
    const signer = credentials.assertions[method];
    if (!signer) throw new ConfigError(`clientAuth '${method}' is not configured`);
    body.set('client_id', clientId);
    body.set('client_assertion_type', ASSERTION_TYPE);
    body.set(
      'client_assertion',
      await signer.sign(
        { iss: clientId, sub: clientId, aud: assertionAudience(credentials, context) },
        context.now,
      ),
    );
    return;
  }
  const clientSecret = credentials.secret.current();
  if (clientSecret === undefined)
    throw new ConfigError(`clientAuth '${method}' needs clientSecret`);
  if (method === 'client_secret_post') {
    body.set('client_id', clientId);
    body.set('client_secret', clientSecret);
    return;
  }
  headers.set(
    'authorization',
    basicAuthorization(clientId, clientSecret, method === 'client_secret_basic'),
  );
  if (credentials.clientIdInBody) body.set('client_id', clientId);
}

/** The methods `auto` tries, in order; raw Basic only where it differs from encoded Basic. */
export function autoCandidates(clientId: string, clientSecret: string): ClientAuthMethod[] {
  const rawDiffers = formEncode(clientId) !== clientId || formEncode(clientSecret) !== clientSecret;
  return rawDiffers
    ? ['client_secret_basic', 'client_secret_basic_raw', 'client_secret_post']
    : ['client_secret_basic', 'client_secret_post'];
}

/** Every form of the secret that goes on the wire, for the redactor. */
/**
 * Every form in which the secret may come back in a server's text: raw, form- and
 * percent-encoded (matched case-insensitively by the redactor), inside both Basic values,
 * alone in Base64 and base64url, and its UTF-8 bytes read as Latin-1 (a server that decodes
 * the form body wrongly echoes `Ã¼` for `ü`).
 */
export function secretForms(clientId: string, clientSecret: string): string[] {
  const bytes = new TextEncoder().encode(clientSecret);
  const latin1 = String.fromCharCode(...bytes);
  return [
    clientSecret,
    formEncode(clientSecret),
    encodeURIComponent(clientSecret),
    basicAuthorization(clientId, clientSecret, true).slice('Basic '.length),
    basicAuthorization(clientId, clientSecret, false).slice('Basic '.length),
    base64Utf8(clientSecret),
    base64url.encode(bytes),
    latin1,
  ];
}
