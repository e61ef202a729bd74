/**
 * Token exchange (RFC 8693): `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`
 * with a `subject_token` (and optionally an `actor_token`) read from credential sources: a
 * Kubernetes service-account token exchanged at Google STS, a caller's token delegated to a
 * downstream service. `audience`, `resource` and `scope` are the provider's own options.
 */
import {
  type CredentialInput,
  credentialIdentity,
  isCredentialInput,
} from './credential-source.ts';
import { ConfigError } from './errors.ts';
import type { Grant } from './grant.ts';
import { type SecretSource, secretSource } from './secret-source.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3 token types by their short names; any URI (one with `:`) is taken as it is. */
export type TokenTypeName =
  | 'access_token'
  | 'refresh_token'
  | 'id_token'
  | 'saml1'
  | 'saml2'
  | 'jwt'
  | (string & {});

const SHORT_NAMES = ['access_token', 'refresh_token', 'id_token', 'saml1', 'saml2', 'jwt'];

export interface TokenExchangeGrant {
  type: 'token-exchange';
  /** The token the new one is for: a string, a function or `fromFile(path)`. */
  subjectToken: CredentialInput;
  /** Its type: a short name (`'jwt'`, `'access_token'`, ...) or a URI. Required (§2.1). */
  subjectTokenType: TokenTypeName;
  /** The party acting for the subject (delegation, §1.1): a string, a function or a file. */
  actorToken?: CredentialInput;
  /** Its type; required with `actorToken`. */
  actorTokenType?: TokenTypeName;
  /** The type of token wanted (`'access_token'`, `'jwt'`, `'id_token'`...). @default the server's */
  requestedTokenType?: TokenTypeName;
}

function tokenType(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`grant.${name} must be a token type (e.g. 'jwt' or a URI)`);
  }
  if (value.includes(':')) return value;
  if (!SHORT_NAMES.includes(value)) {
    throw new ConfigError(
      `grant.${name} '${value}' is not one of ${SHORT_NAMES.join(', ')}, nor a URI`,
    );
  }
  return `urn:ietf:params:oauth:token-type:${value}`;
}

function credential(name: string, value: unknown): void {
  if (!isCredentialInput(value) || value === '') {
    throw new ConfigError(`grant.${name} must be a non-empty string, a function or a source`);
  }
}

export function checkTokenExchange(grant: TokenExchangeGrant): void {
  credential('subjectToken', grant.subjectToken);
  tokenType('subjectTokenType', grant.subjectTokenType);
  if (grant.actorToken !== undefined) {
    credential('actorToken', grant.actorToken);
    tokenType('actorTokenType', grant.actorTokenType);
  } else if (grant.actorTokenType !== undefined) {
    throw new ConfigError('grant.actorTokenType needs grant.actorToken');
  }
  if (grant.requestedTokenType !== undefined) {
    tokenType('requestedTokenType', grant.requestedTokenType);
  }
}

export function tokenExchangeGrant(
  grant: TokenExchangeGrant,
  onValue: (credential: string) => void,
): Grant {
  const subject = secretSource(grant.subjectToken, onValue, 'grant.subjectToken');
  const subjectType = tokenType('subjectTokenType', grant.subjectTokenType);
  const actor =
    grant.actorToken === undefined
      ? undefined
      : secretSource(grant.actorToken, onValue, 'grant.actorToken');
  const actorType = actor ? tokenType('actorTokenType', grant.actorTokenType) : undefined;
  const requested =
    grant.requestedTokenType === undefined
      ? undefined
      : tokenType('requestedTokenType', grant.requestedTokenType);
  const sources: Array<readonly [string, SecretSource]> = [['grant.subjectToken', subject]];
  if (actor) sources.push(['grant.actorToken', actor]);
  const identity = [
    credentialIdentity(grant.subjectToken),
    subjectType,
    grant.actorToken === undefined ? null : credentialIdentity(grant.actorToken),
    actorType ?? null,
    requested ?? null,
  ];
  return {
    grantType: TOKEN_EXCHANGE_GRANT,
    scopeInForm: true,
    fingerprint: `grant:token-exchange:${JSON.stringify(identity)}`,
    sources,
    signs: false,
    acceptsNotApplicable: true,
    async apply(body) {
      body.set('subject_token', subject.current() ?? ((await subject.load()) as string));
      body.set('subject_token_type', subjectType);
      if (actor && actorType) {
        body.set('actor_token', actor.current() ?? ((await actor.load()) as string));
        body.set('actor_token_type', actorType);
      }
      if (requested) body.set('requested_token_type', requested);
    },
  };
}
