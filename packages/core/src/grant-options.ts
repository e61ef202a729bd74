/**
 * The `grant` option: which grant a provider asks for, checked at construction and turned
 * into the `Grant` its token requests use.
 */
import { ConfigError } from './errors.ts';
import { CLIENT_CREDENTIALS, type Grant } from './grant.ts';
import { checkJwtBearer, type JwtBearerGrant, jwtBearerGrant } from './jwt-bearer-grant.ts';
import {
  checkTokenExchange,
  type TokenExchangeGrant,
  tokenExchangeGrant,
} from './token-exchange-grant.ts';

export interface ClientCredentialsGrant {
  type: 'client_credentials';
}

export type GrantOptions = ClientCredentialsGrant | JwtBearerGrant | TokenExchangeGrant;

const TYPES = ['client_credentials', 'jwt-bearer', 'token-exchange'];

/** The grant's own options, refused at construction when they cannot work. */
export function checkGrant(
  grant: GrantOptions | undefined,
  given: { clientId: string | undefined; issuer: string | undefined },
): void {
  if (grant === undefined) return;
  if (typeof grant !== 'object' || grant === null || !TYPES.includes(grant.type)) {
    throw new ConfigError(`grant.type must be one of ${TYPES.join(', ')}`);
  }
  if (grant.type === 'jwt-bearer') checkJwtBearer(grant, given);
  if (grant.type === 'token-exchange') checkTokenExchange(grant);
}

/** A grant whose own credential may stand alone (`clientAuth: 'none'`, no `clientId`). */
export const grantCarriesCredential = (grant: GrantOptions | undefined): boolean =>
  grant !== undefined && grant.type !== 'client_credentials';

export function createGrant(
  grant: GrantOptions | undefined,
  clientId: string,
  onValue: (credential: string) => void,
): Grant {
  if (grant === undefined || grant.type === 'client_credentials') return CLIENT_CREDENTIALS;
  if (grant.type === 'token-exchange') return tokenExchangeGrant(grant, onValue);
  return jwtBearerGrant(grant, clientId, onValue);
}
