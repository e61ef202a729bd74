/**
 * What a token request presents to authenticate its client, read once for the vendor
 * profiles: HTTP Basic (RFC 6749 §2.3.1, form-decoded), a secret in the body, a client
 * assertion (RFC 7523), or several at once.
 */
import type { IncomingMessage } from 'node:http';
import { type DecodedAssertion, decodeAssertion, JWT_BEARER } from '../client-assertion.ts';
import { basicCredentials } from '../form.ts';
import type { ClientRecord } from '../profiles.ts';

export type PresentedMethod = 'basic' | 'post' | 'assertion' | 'several' | 'none';

export interface Presented {
  method: PresentedMethod;
  /** From Basic, else the body's `client_id`. */
  clientId: string | undefined;
  /** The secret of Basic or of the body. */
  clientSecret: string | undefined;
  /** An `Authorization: Basic` header that does not decode. */
  malformedBasic: boolean;
}

export function presentedCredentials(req: IncomingMessage, params: Map<string, string>): Presented {
  const basic = basicCredentials(req, true);
  const ways = [
    basic !== undefined,
    params.has('client_secret'),
    params.has('client_assertion') || params.has('client_assertion_type'),
  ];
  const count = ways.filter(Boolean).length;
  const method: PresentedMethod =
    count > 1 ? 'several' : ways[0] ? 'basic' : ways[1] ? 'post' : ways[2] ? 'assertion' : 'none';
  return {
    method,
    clientId: basic?.clientId ?? params.get('client_id'),
    clientSecret: basic?.clientSecret ?? params.get('client_secret'),
    malformedBasic: basic === null,
  };
}

/** The registered client whose secret this is, or `undefined`. */
export function secretOwner(
  clients: Map<string, ClientRecord>,
  clientId: string | undefined,
  clientSecret: string | undefined,
): ClientRecord | undefined {
  const client = clientId === undefined ? undefined : clients.get(clientId);
  return client && clientSecret !== undefined && client.clientSecret === clientSecret
    ? client
    : undefined;
}

/**
 * The client a `client_assertion` claims to be, when the claim holds together (RFC 7523 §3,
 * RFC 7521 §4.2): the jwt-bearer assertion type, a JWT, `iss` = `sub` = a registered client,
 * and a `client_id` parameter, if any, naming the same client. Its signature is not checked.
 */
export function assertedClient(
  params: Map<string, string>,
  clients: Map<string, ClientRecord>,
): { client: ClientRecord; decoded: DecodedAssertion } | undefined {
  const decoded = decodeAssertion(params.get('client_assertion') ?? '');
  const sub = decoded?.claims.sub;
  const client = typeof sub === 'string' ? clients.get(sub) : undefined;
  const bodyId = params.get('client_id');
  if (params.get('client_assertion_type') !== JWT_BEARER || !decoded || !client) return undefined;
  if (decoded.claims.iss !== sub || (bodyId !== undefined && bodyId !== sub)) return undefined;
  return { client, decoded };
}

/** The UTF-8 bytes of the client's secret: the HMAC key of `client_secret_jwt`. */
export const secretKey = (client: ClientRecord): Uint8Array =>
  new TextEncoder().encode(client.clientSecret);

/** The RFC 7523 jwt-bearer grant type (§2.1), the one Google and Salesforce use. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
