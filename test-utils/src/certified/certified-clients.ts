/**
 * The clients registered at the certified server: one per token-endpoint authentication
 * method m2m-auth supports, one whose tokens must be DPoP-bound, and the resource server's own
 * client, which introspects and revokes. Secrets are random per server; the Basic client's id
 * and secret need RFC 6749 §2.3.1 encoding to survive.
 */
import { randomBytes } from 'node:crypto';
import { type ClientKeys, generateClientKeys } from '../client-keys.ts';
import { JWT_BEARER } from './jwt-bearer-grant.ts';
import { TOKEN_EXCHANGE } from './token-exchange-grant.ts';

export interface SecretClient {
  clientId: string;
  clientSecret: string;
}

export interface KeyClient {
  clientId: string;
  /** The client's key pair; the server knows only the public half (`keys.jwks`). */
  keys: ClientKeys;
}

export interface CertifiedClients {
  /** `client_secret_basic`; id and secret contain `:`, ` `, `%`, `+` and `&` (VSCHARs only: RFC 6749 Appendix A). */
  basic: SecretClient;
  /** `client_secret_post`. */
  post: SecretClient;
  /** `client_secret_jwt` (HS256 assertions keyed with the secret). */
  secretJwt: SecretClient;
  /** `private_key_jwt` (ES256, the key's `kid` registered). */
  privateKeyJwt: KeyClient;
  /** `client_secret_basic`, registered with `dpop_bound_access_tokens: true`. */
  dpop: SecretClient;
  /** The protected API's client: no grant, only introspection and revocation. */
  api: SecretClient;
}

/** The scopes every client may ask for, and every registered resource grants. */
export const CERTIFIED_SCOPES = 'read write';

const secret = () => randomBytes(24).toString('base64url');

export async function createCertifiedClients(): Promise<CertifiedClients> {
  return {
    basic: { clientId: 'certified:basic client', clientSecret: `s3cr%t:&=+/-${secret()}` },
    post: { clientId: 'certified-post', clientSecret: secret() },
    secretJwt: { clientId: 'certified-secret-jwt', clientSecret: secret() },
    privateKeyJwt: { clientId: 'certified-private-key-jwt', keys: await generateClientKeys() },
    dpop: { clientId: 'certified-dpop', clientSecret: secret() },
    api: { clientId: 'certified-api', clientSecret: secret() },
  };
}

/** The clients as oidc-provider's `clients` configuration (RFC 7591 metadata). */
export function clientMetadata(clients: CertifiedClients): Record<string, unknown>[] {
  const machine = {
    // Every machine client may also use the extra grants (`jwt-bearer-grant.ts`, `token-exchange-grant.ts`).
    grant_types: ['client_credentials', JWT_BEARER, TOKEN_EXCHANGE],
    response_types: [],
    scope: CERTIFIED_SCOPES,
  };
  return [
    { ...machine, ...fields(clients.basic), token_endpoint_auth_method: 'client_secret_basic' },
    { ...machine, ...fields(clients.post), token_endpoint_auth_method: 'client_secret_post' },
    { ...machine, ...fields(clients.secretJwt), token_endpoint_auth_method: 'client_secret_jwt' },
    {
      ...machine,
      client_id: clients.privateKeyJwt.clientId,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: clients.privateKeyJwt.keys.jwks,
    },
    {
      ...machine,
      ...fields(clients.dpop),
      token_endpoint_auth_method: 'client_secret_basic',
      dpop_bound_access_tokens: true,
    },
    { ...fields(clients.api), grant_types: [], response_types: [] },
  ];
}

/** `Authorization: Basic` for a client whose id and secret need no form-encoding. */
export const basicAuthorization = (client: SecretClient): string =>
  `Basic ${btoa(`${client.clientId}:${client.clientSecret}`)}`;

const fields = (client: SecretClient) => ({
  client_id: client.clientId,
  client_secret: client.clientSecret,
});
