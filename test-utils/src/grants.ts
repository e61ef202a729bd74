/**
 * The grants beyond client credentials, as their RFCs write them, on the `strict-rfc`
 * profile (the vendor profiles have their own, e.g. `google-sa` and `salesforce`):
 *
 * - RFC 7523 §2.1 jwt-bearer: `assertion` is a JWT whose `iss` is a registered client with
 *   `jwks`; verified for real (signature, `aud` the token URL or the issuer, `exp` at most an
 *   hour after `iat`, leeway 30 s); `sub` optional (the token's subject, else `iss`); the
 *   scope from the form or the assertion's `scope` claim. Every failure is `400
 *   invalid_grant` (§3.1). Client authentication is optional (§3.1): when the request
 *   presents any, it must be valid.
 * - RFC 8693 token exchange: `subject_token` with `subject_token_type` (both required),
 *   optionally `actor_token` with `actor_token_type`. An `access_token` must be one this
 *   server issued and still valid; a `jwt` or `id_token` a JWT whose `iss` is a registered
 *   client with `jwks` and whose `aud` is the token URL or the issuer (leeway 30 s). A token
 *   that does not verify is `400 invalid_grant`; a missing or unknown type `400
 *   invalid_request`. `requested_token_type` `access_token` (the default) answers `token_type:
 *   Bearer`; `jwt` and `id_token` answer `token_type: N_A` (§2.2.1), each with its
 *   `issued_token_type`. The token's subject is the subject token's `sub`. Client
 *   authentication is optional, as for jwt-bearer.
 *
 * Answers are the server's usual JWT access tokens, recorded in the stats like any other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { decodeAssertion, KEY_ALGS } from './client-assertion.ts';
import { sendJson } from './http.ts';
import { authMethodSeen, type ClientRecord, type OAuthFailure, type Profile } from './profiles.ts';
import type { TokenEndpointState } from './token-endpoint.ts';

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:';
/** The longest a jwt-bearer assertion may live (`exp - iat`), as Google allows. */
export const GRANT_ASSERTION_MAX_SECONDS = 3600;
const LEEWAY_SECONDS = 30;

/** What a granted request is for: whom the token is about, with which scope. */
interface Granted {
  subject: string;
  scope: string | undefined;
  /** Members the answer carries besides the standard ones. */
  members?: Record<string, unknown>;
}

const invalidGrant = (description: string): OAuthFailure => ({
  status: 400,
  error: 'invalid_grant',
  description,
});

type Grants = Record<
  string,
  (state: TokenEndpointState, params: Map<string, string>) => Promise<Granted | OAuthFailure>
>;

async function jwtBearer(
  state: TokenEndpointState,
  params: Map<string, string>,
  tokenUrl: string,
): Promise<Granted | OAuthFailure> {
  const jwt = params.get('assertion');
  if (!jwt) return { status: 400, error: 'invalid_request', description: 'assertion is required' };
  const decoded = decodeAssertion(jwt);
  if (!decoded) return invalidGrant('assertion is not a JWT');
  const issuer = decoded.claims.iss;
  const client = typeof issuer === 'string' ? state.clients.get(issuer) : undefined;
  if (!client?.jwks) return invalidGrant('iss is not a registered issuer with keys');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(jwt, createLocalJWKSet(client.jwks), {
      algorithms: [...KEY_ALGS],
      audience: [tokenUrl, state.url],
      requiredClaims: ['exp', 'iat'],
      clockTolerance: LEEWAY_SECONDS,
      currentDate: new Date(state.clock.now()),
    }));
  } catch (error) {
    return invalidGrant(`assertion refused: ${(error as Error).message}`);
  }
  if ((claims.exp as number) - (claims.iat as number) > GRANT_ASSERTION_MAX_SECONDS) {
    return invalidGrant(`exp is more than ${GRANT_ASSERTION_MAX_SECONDS} s after iat`);
  }
  const scope = params.get('scope') ?? (claims['scope'] as string | undefined);
  return { subject: typeof claims.sub === 'string' ? claims.sub : client.clientId, scope };
}

/** The `sub` of a subject or actor token of `type`, if it verifies here. */
async function tokenSubject(
  state: TokenEndpointState,
  token: string,
  type: string,
  tokenUrl: string,
): Promise<string | OAuthFailure> {
  if (type === `${TOKEN_TYPE}access_token`) {
    const claims = await state.signer.verify(token);
    return claims ? claims.sub : invalidGrant('the access token is not valid here');
  }
  if (type !== `${TOKEN_TYPE}jwt` && type !== `${TOKEN_TYPE}id_token`) {
    return { status: 400, error: 'invalid_request', description: `unsupported token type ${type}` };
  }
  const issuer = decodeAssertion(token)?.claims.iss;
  const idp = typeof issuer === 'string' ? state.clients.get(issuer) : undefined;
  if (!idp?.jwks) return invalidGrant('the token is not from a trusted issuer');
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(idp.jwks), {
      algorithms: [...KEY_ALGS],
      audience: [tokenUrl, state.url],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: LEEWAY_SECONDS,
      currentDate: new Date(state.clock.now()),
    });
    return payload.sub as string;
  } catch (error) {
    return invalidGrant(`the token does not verify: ${(error as Error).message}`);
  }
}

const ISSUED: Record<string, string> = {
  [`${TOKEN_TYPE}access_token`]: 'Bearer',
  [`${TOKEN_TYPE}jwt`]: 'N_A',
  [`${TOKEN_TYPE}id_token`]: 'N_A',
};

async function tokenExchange(
  state: TokenEndpointState,
  params: Map<string, string>,
  tokenUrl: string,
): Promise<Granted | OAuthFailure> {
  const missing = (name: string): OAuthFailure => ({
    status: 400,
    error: 'invalid_request',
    description: `${name} is required`,
  });
  const [subjectToken, subjectType] = [
    params.get('subject_token'),
    params.get('subject_token_type'),
  ];
  if (!subjectToken) return missing('subject_token');
  if (!subjectType) return missing('subject_token_type');
  const subject = await tokenSubject(state, subjectToken, subjectType, tokenUrl);
  if (typeof subject !== 'string') return subject;
  const actorToken = params.get('actor_token');
  if (actorToken !== undefined) {
    const actorType = params.get('actor_token_type');
    if (!actorType) return missing('actor_token_type');
    const actor = await tokenSubject(state, actorToken, actorType, tokenUrl);
    if (typeof actor !== 'string') return actor;
  } else if (params.has('actor_token_type')) {
    return {
      status: 400,
      error: 'invalid_request',
      description: 'actor_token_type without actor_token',
    };
  }
  const requested = params.get('requested_token_type') ?? `${TOKEN_TYPE}access_token`;
  const tokenType = ISSUED[requested];
  if (!tokenType) {
    return { status: 400, error: 'invalid_request', description: `cannot issue ${requested}` };
  }
  return {
    subject,
    scope: params.get('scope'),
    members: { issued_token_type: requested, token_type: tokenType },
  };
}

const GRANTS = [JWT_BEARER_GRANT_TYPE, TOKEN_EXCHANGE_GRANT_TYPE];

/** Whether `strict-rfc` answers this grant itself (`answerGrant`). */
export const servesGrant = (profile: Profile, grant: string): boolean =>
  profile.name === 'strict-rfc' && GRANTS.includes(grant);

/** Answers a grant `servesGrant` said yes to: optional client authentication, then the grant. */
export async function answerGrant(
  state: TokenEndpointState,
  request: {
    profile: Profile;
    req: IncomingMessage;
    res: ServerResponse;
    params: Map<string, string>;
    tokenUrl: string;
    defaultAudience: string;
    reject(failure: OAuthFailure): void;
    issued(clientId: string | undefined): void;
  },
): Promise<void> {
  const { profile, req, res, params, tokenUrl, reject } = request;
  let client: ClientRecord | undefined;
  if (authMethodSeen(req, params) !== 'none') {
    const endpoint = { issuer: state.url, path: profile.path, tokenUrl };
    const authenticated = await profile.authenticate(
      req,
      params,
      state.clients,
      state.assertions,
      endpoint,
    );
    if ('error' in authenticated) return reject(authenticated);
    client = authenticated;
  }
  const grants: Grants = {
    [JWT_BEARER_GRANT_TYPE]: (s, p) => jwtBearer(s, p, tokenUrl),
    [TOKEN_EXCHANGE_GRANT_TYPE]: (s, p) => tokenExchange(s, p, tokenUrl),
  };
  const granted = await grants[params.get('grant_type') as string]?.(state, params);
  if (!granted || 'error' in granted) {
    return reject(granted ?? { status: 400, error: 'unsupported_grant_type', description: '' });
  }
  const lifetime = state.lifetimes.get(profile.name) ?? profile.lifetimeSeconds;
  const { token } = await state.signer.issue({
    subject: granted.subject,
    audience: params.get('audience') ?? request.defaultAudience,
    scope: granted.scope,
    lifetimeSeconds: lifetime,
  });
  sendJson(
    res,
    200,
    {
      access_token: token,
      token_type: 'Bearer',
      expires_in: lifetime,
      ...(granted.scope ? { scope: granted.scope } : {}),
      ...granted.members,
    },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
  request.issued(client?.clientId ?? granted.subject);
}
