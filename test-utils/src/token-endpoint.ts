/**
 * The token endpoint shared by every profile: strict form parsing, fault injection, the
 * profile's client authentication and scope rules, then a signed token, each request
 * recorded in the stats. Every answer is dated by the server's clock. On a DPoP profile the
 * proof is checked before the client is authenticated, so the nonce dance (RFC 9449 §8)
 * uses up no client assertion.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AssertionVerifier, decodeAssertion } from './client-assertion.ts';
import { httpDate, type ServerClock } from './clock.ts';
import { announceNonce, type DpopVerifier } from './dpop-verifier.ts';
import { answerWithFault, type FaultQueue } from './faults.ts';
import { basicCredentials, parseTokenForm } from './form.ts';
import { answerGrant, servesGrant } from './grants.ts';
import { sendJson } from './http.ts';
import {
  authMethodSeen,
  type ClientRecord,
  type OAuthFailure,
  type ProfileName,
  profiles,
} from './profiles.ts';
import type { RecordingStats, TokenRequestRecord } from './stats.ts';
import type { TokenSigner } from './token-signer.ts';

/** The `aud` of issued tokens unless the request names an `audience`. */
export const DEFAULT_AUDIENCE = 'm2m-auth-test-api';

export interface TokenEndpointState {
  clients: Map<string, ClientRecord>;
  lifetimes: Map<ProfileName, number>;
  faults: FaultQueue;
  stats: RecordingStats;
  signer: TokenSigner;
  assertions: AssertionVerifier;
  clock: ServerClock;
  dpop: DpopVerifier;
  /** The issuer, `http://127.0.0.1:<port>`: token endpoint URLs (`htu`) start with it. */
  url: string;
}

const byPath = new Map(Object.values(profiles).map((p) => [p.path, p]));
/** The profile answering `path`: its own path, or one it matches (a tenant or realm in it). */
const profileAt = (path: string) =>
  byPath.get(path) ?? Object.values(profiles).find((p) => p.matchesPath?.(path));
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function fail(res: ServerResponse, failure: OAuthFailure, body: Record<string, unknown>) {
  sendJson(res, failure.status, body, { ...NO_STORE, ...failure.headers });
}

export async function tokenEndpoint(
  state: TokenEndpointState,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const { clients, faults, stats, signer, clock } = state;
  // Explicit, so it is the server's (possibly skewed) time rather than Node's own.
  res.setHeader('date', httpDate(clock.now()));
  const path = (req.url ?? '').split('?')[0] ?? '';
  const profile = profileAt(path);
  if (!profile) return sendJson(res, 404, { error: 'not_found' });
  const endpoint = { issuer: state.url, path, tokenUrl: `${state.url}${path}` };
  const form = parseTokenForm(req, body);
  const params = form.ok ? form.params : new Map<string, string>();
  const assertion = decodeAssertion(params.get('client_assertion') ?? '');
  const entry: TokenRequestRecord = {
    at: Date.now(),
    profile: profile.name,
    clientId:
      params.get('client_id') ??
      basicCredentials(req, true)?.clientId ??
      (typeof assertion?.claims.sub === 'string' ? assertion.claims.sub : undefined),
    scope: params.get('scope'),
    authMethod: authMethodSeen(req, params),
    status: 200,
    issued: false,
    fault: undefined,
    ...(assertion ? { assertion } : {}),
  };
  const requiresDpop =
    profile.requiresDpop || (profile.dpopRequiredFor?.(clients.get(entry.clientId ?? '')) ?? false);
  if (requiresDpop) entry.dpop = state.dpop.decode(req);
  const finish = (status: number) => stats.record({ ...entry, status });
  const fault = faults.next();
  if (fault) {
    entry.fault = fault.type;
    if (fault.type === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      res.setHeader('date', httpDate(clock.now()));
    }
    if (answerWithFault(res, fault)) return finish(fault.type === 'reset' ? 0 : res.statusCode);
  }
  const reject = (failure: OAuthFailure) => {
    const standard = { error: failure.error, error_description: failure.description };
    fail(res, failure, profile.errorBody?.(failure, { now: clock.now() }) ?? standard);
    finish(failure.status);
  };
  if (req.method !== 'POST')
    return reject({ status: 405, error: 'invalid_request', description: 'use POST' });
  if (!form.ok)
    return reject({ status: 400, error: 'invalid_request', description: form.description });
  const grant = params.get('grant_type');
  if (!grant)
    return reject({ status: 400, error: 'invalid_request', description: 'grant_type is required' });
  if (servesGrant(profile, grant)) {
    const issued = (clientId: string | undefined) =>
      stats.record({ ...entry, clientId, status: 200, issued: true });
    const tokenUrl = `${state.url}${profile.path}`;
    const defaultAudience = DEFAULT_AUDIENCE;
    return answerGrant(state, {
      profile,
      req,
      res,
      params,
      tokenUrl,
      defaultAudience,
      reject,
      issued,
    });
  }
  if (!(profile.grantTypes ?? ['client_credentials']).includes(grant)) {
    return reject({
      status: 400,
      error: 'unsupported_grant_type',
      description: `grant_type ${grant} is not supported`,
    });
  }
  let jkt: string | undefined;
  if (requiresDpop) {
    const proof = await state.dpop.check(req, { htm: 'POST', htu: endpoint.tokenUrl });
    entry.dpop = proof.record;
    if (!proof.ok) {
      const nonce = proof.error === 'use_dpop_nonce' ? state.dpop.nonces.current : undefined;
      return reject({
        status: 400,
        error: proof.error,
        description: proof.description,
        ...(nonce ? { headers: { 'dpop-nonce': nonce } } : {}),
      });
    }
    jkt = proof.jkt;
  }
  const client = await profile.authenticate(req, params, clients, state.assertions, endpoint);
  if ('error' in client) return reject(client);
  entry.clientId = client.clientId;
  const scope = profile.grantScope(params.get('scope'), client, params, endpoint);
  if (typeof scope === 'object') return reject(scope);
  const lifetime = state.lifetimes.get(profile.name) ?? profile.lifetimeSeconds;
  const { token } = await signer.issue({
    subject: client.clientId,
    audience: profile.tokenAudience?.(params, scope) ?? params.get('audience') ?? DEFAULT_AUDIENCE,
    scope,
    lifetimeSeconds: lifetime,
    ...(jkt ? { jkt } : {}),
    ...(profile.opaqueTokenPrefix ? { opaquePrefix: profile.opaqueTokenPrefix } : {}),
  });
  const expiresIn =
    fault?.type === 'bad-expires-in'
      ? 'abc'
      : profile.expiresInAsString
        ? String(lifetime)
        : lifetime;
  const standard = {
    access_token: token,
    token_type: jkt ? 'DPoP' : 'Bearer',
    expires_in: expiresIn,
    ...(scope ? { scope } : {}),
  };
  const context = { ...endpoint, client, params, lifetimeSeconds: lifetime, now: clock.now() };
  const reshaped = fault?.type === 'members' ? fault : undefined;
  const members = Object.entries({
    ...(profile.tokenResponse?.(standard, context) ?? standard),
    ...reshaped?.set,
  }).filter(([name]) => !reshaped?.omit?.includes(name));
  res.setHeader('date', httpDate(clock.now()));
  sendJson(res, 200, Object.fromEntries(members), {
    ...NO_STORE,
    ...(entry.dpop ? announceNonce(state.dpop, entry.dpop) : {}),
  });
  stats.record({ ...entry, status: 200, issued: true });
}
