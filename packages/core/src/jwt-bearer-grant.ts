/**
 * The JWT bearer grant (RFC 7523 §2.1): `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
 * and `assertion=<JWT>`, the JWT being the credential. Signed here (a Google service account:
 * `iss` its email, `scope` a claim, `aud` the token URL; Salesforce: `iss` the consumer key,
 * `sub` the user, `aud` the login host), or issued elsewhere and read from a source.
 */
import {
  type AssertionKeyOptions,
  type AssertionSigner,
  checkAssertionKey,
  privateKeySigner,
} from './assertion-signer.ts';
import { externalAssertion } from './client-assertion.ts';
import { type CredentialInput, isCredentialInput } from './credential-source.ts';
import { ConfigError } from './errors.ts';
import type { Grant } from './grant.ts';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface JwtBearerGrant extends AssertionKeyOptions {
  type: 'jwt-bearer';
  /**
   * An assertion issued elsewhere (string, function or `fromFile(path)`), sent as it is.
   * Without it, one is signed here with `privateKey` or `sign`.
   */
  assertion?: CredentialInput;
  /** `iss` of an assertion signed here: a service account's email, a consumer key. @default clientId */
  issuer?: string;
  /** `sub`: the user to act as (Salesforce's username, Google's delegated user). @default none */
  subject?: string;
  /**
   * `aud`: the token endpoint URL (RFC 7523 §3; Google), the `issuer` option, or any string
   * (Salesforce's login host). @default 'token_endpoint'
   */
  audience?: 'token_endpoint' | 'issuer' | (string & {});
  /**
   * Where the provider's `scope` goes: the `scope` form parameter (RFC 7523 §2.1), or a
   * `scope` claim in the assertion signed here (Google service accounts). @default 'param'
   */
  scopeIn?: 'param' | 'claim';
}

export function checkJwtBearer(
  grant: JwtBearerGrant,
  given: { clientId: string | undefined; issuer: string | undefined },
): void {
  if (grant.audience === 'issuer' && given.issuer === undefined) {
    throw new ConfigError("grant.audience 'issuer' needs the issuer option");
  }
  if (grant.assertion !== undefined) {
    if (!isCredentialInput(grant.assertion) || grant.assertion === '') {
      throw new ConfigError('grant.assertion must be a non-empty string, a function or a source');
    }
    if (grant.privateKey !== undefined || grant.sign !== undefined) {
      throw new ConfigError('grant takes an assertion from outside or a key to sign one, not both');
    }
    if (grant.scopeIn === 'claim') {
      throw new ConfigError("grant.scopeIn 'claim' needs an assertion signed here");
    }
    return;
  }
  checkAssertionKey(grant, 'grant');
  if (grant.privateKey === undefined && grant.sign === undefined) {
    throw new ConfigError(
      'a jwt-bearer grant needs grant.assertion, grant.privateKey or grant.sign',
    );
  }
  if ((grant.issuer ?? given.clientId) === undefined) {
    throw new ConfigError('a jwt-bearer grant signed here needs grant.issuer (or clientId)');
  }
  if (grant.scopeIn !== undefined && !['param', 'claim'].includes(grant.scopeIn)) {
    throw new ConfigError("grant.scopeIn must be 'param' or 'claim'");
  }
}

export function jwtBearerGrant(
  grant: JwtBearerGrant,
  clientId: string,
  onValue: (credential: string) => void,
): Grant {
  const external = grant.assertion !== undefined;
  const signer: AssertionSigner = external
    ? externalAssertion(grant.assertion as CredentialInput, onValue, 'grant.assertion')
    : privateKeySigner(grant, 'grant');
  const iss = grant.issuer || clientId;
  const audience = grant.audience ?? 'token_endpoint';
  const scopeInClaim = grant.scopeIn === 'claim';
  return {
    grantType: JWT_BEARER_GRANT,
    scopeInForm: !scopeInClaim,
    fingerprint: external
      ? `grant:jwt-bearer:${signer.fingerprint}`
      : `grant:jwt-bearer:${signer.fingerprint}:${JSON.stringify([iss, grant.subject ?? null, audience, scopeInClaim])}`,
    sources: signer.source ? [['grant.assertion', signer.source]] : [],
    signs: !external,
    async apply(body, context) {
      const aud =
        audience === 'token_endpoint'
          ? context.tokenUrl
          : audience === 'issuer'
            ? (context.issuer as string) // options.ts insists on one
            : audience;
      const extra = scopeInClaim && context.scope ? { scope: context.scope } : undefined;
      body.set(
        'assertion',
        await signer.sign(
          { iss, sub: grant.subject, aud, ...(extra ? { extra } : {}) },
          context.now,
        ),
      );
    },
  };
}
