/**
 * How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
 *
 * - `client_secret_basic`: HTTP Basic over the form-encoded id and secret, as §2.3.1 says.
 *   Alphanumerics and `-._*` are unchanged by that encoding, so everyday credentials produce
 *   the same header as raw Basic.
 * - `client_secret_basic_raw`: HTTP Basic over the id and secret as they are, for servers
 *   that do not decode (strict encoding broke eBay and Google for other libraries).
 * - `client_secret_post`: `client_id` and `client_secret` in the form body.
 */
export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_basic_raw'
  | 'client_secret_post';
/** `auto` tries Basic, then raw Basic (if it differs), then post, and remembers what worked. */
export type ClientAuth = ClientAuthMethod | 'auto';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Also send `client_id` in the body with Basic (AWS Cognito-based servers want both). */
  clientIdInBody: boolean;
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

/** Puts the credentials where `method` wants them. */
export function applyClientAuth(
  method: ClientAuthMethod,
  credentials: ClientCredentials,
  headers: Headers,
  body: URLSearchParams,
): void {
  const { clientId, clientSecret } = credentials;
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
export function secretForms(clientId: string, clientSecret: string): string[] {
  return [
    clientSecret,
    formEncode(clientSecret),
    encodeURIComponent(clientSecret),
    basicAuthorization(clientId, clientSecret, true).slice('Basic '.length),
    basicAuthorization(clientId, clientSecret, false).slice('Basic '.length),
  ];
}
