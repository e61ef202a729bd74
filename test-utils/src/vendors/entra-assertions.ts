/**
 * The two kinds of `client_assertion` Entra ID takes, verified as its pages describe:
 * a certificate's (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials)
 * and a federated one, another issuer's token matching a federated identity credential
 * (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation).
 * Failures carry the AADSTS codes Entra answers them with.
 */
import { decodeAssertion } from '../client-assertion.ts';
import type { ClientRecord, FederatedCredential, OAuthFailure } from '../profiles.ts';
import type { SeenJtis } from '../seen-jtis.ts';
import { type AssertionFault, checkAssertion } from './assertion-checks.ts';
import { aadsts } from './entra-errors.ts';

/** What a federated credential expects as `aud` unless it lists others. */
export const ENTRA_FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';
const LEEWAY_SECONDS = 300;

/** A certificate assertion's faults, in Entra's words. */
function certificateFault(fault: AssertionFault, claim: string | undefined): OAuthFailure {
  switch (fault) {
    case 'malformed':
    case 'missing':
      return aadsts(
        400,
        'invalid_request',
        50027,
        `JWT token is invalid or malformed.${claim ? ` Missing claim: ${claim}.` : ''}`,
      );
    case 'audience':
      return aadsts(
        401,
        'invalid_client',
        700023,
        'Client assertion audience claim does not match Realm issuer.',
      );
    case 'expired':
    case 'not-yet-valid':
    case 'lifetime':
      return aadsts(
        401,
        'invalid_client',
        700024,
        'Client assertion is not within its valid time range.',
      );
    case 'key':
      return aadsts(
        401,
        'invalid_client',
        700027,
        'Client assertion failed signature validation. [Reason - The key was not found.]',
      );
    default:
      return aadsts(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
}

function federatedFault(fault: AssertionFault): OAuthFailure {
  if (fault === 'expired' || fault === 'not-yet-valid' || fault === 'lifetime') {
    return aadsts(
      401,
      'invalid_client',
      700024,
      'Client assertion is not within its valid time range.',
    );
  }
  return aadsts(401, 'invalid_client', 50013, 'Assertion failed signature validation.');
}

/** The client's registered certificates the header names by thumbprint. */
function certificateKeys(client: ClientRecord, header: Record<string, unknown>) {
  const s256 = header['x5t#S256'];
  const sha1 = header['x5t'];
  return (client.jwks?.keys ?? []).filter(
    (key) =>
      (typeof s256 === 'string' && key['x5t#S256'] === s256) ||
      (typeof sha1 === 'string' && key.x5t === sha1),
  );
}

export async function certificateAssertion(
  client: ClientRecord,
  jwt: string,
  audiences: readonly string[],
  now: number,
  jtis: SeenJtis,
): Promise<ClientRecord | OAuthFailure> {
  const decoded = decodeAssertion(jwt);
  if (!decoded) return certificateFault('malformed', undefined);
  if (decoded.claims.sub !== client.clientId) {
    return aadsts(
      401,
      'invalid_client',
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter.",
    );
  }
  const check = await checkAssertion(jwt, {
    algorithms: ['PS256', 'RS256'],
    keys: certificateKeys(client, decoded.header),
    audiences,
    leewaySeconds: LEEWAY_SECONDS,
    required: ['nbf', 'jti', 'sub'],
    singleUseJti: false,
    now,
    jtis,
  });
  return check.ok ? client : certificateFault(check.fault, check.claim);
}

export async function federatedAssertion(
  client: ClientRecord,
  jwt: string,
  now: number,
  jtis: SeenJtis,
): Promise<ClientRecord | OAuthFailure> {
  const { iss, sub, aud } = decodeAssertion(jwt)?.claims ?? {};
  const byIssuer = (client.federatedCredentials ?? []).filter((f) => f.issuer === iss);
  const noMatch = (code: number, what: string, value: unknown) =>
    aadsts(
      401,
      'invalid_client',
      code,
      `No matching federated identity record found for presented assertion ${what} '${String(value)}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    );
  if (byIssuer.length === 0) return noMatch(700211, 'issuer', iss);
  const bySubject = byIssuer.filter((f) => f.subject === sub);
  if (bySubject.length === 0) return noMatch(700213, 'subject', sub);
  const audiences = (f: FederatedCredential) => f.audiences ?? [ENTRA_FEDERATED_AUDIENCE];
  const credential = bySubject.find((f) =>
    (Array.isArray(aud) ? aud : [aud]).some((a) => audiences(f).includes(String(a))),
  );
  if (!credential) return noMatch(700212, 'audience', aud);
  const check = await checkAssertion(jwt, {
    algorithms: ['RS256', 'PS256', 'ES256'],
    keys: credential.jwks.keys,
    audiences: audiences(credential),
    leewaySeconds: LEEWAY_SECONDS,
    required: ['sub'],
    singleUseJti: false,
    now,
    jtis,
  });
  return check.ok ? client : federatedFault(check.fault);
}
