/**
 * `startAuthServer`: a real OAuth 2.0 token endpoint on 127.0.0.1 with the vendor profiles
 * of `profiles.ts`, JWT access tokens, fault injection and request statistics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerWithFault, createFaultQueue, type Fault } from './faults.ts';
import { basicCredentials, parseTokenForm } from './form.ts';
import { listen, sendJson } from './http.ts';
import {
  authMethodSeen,
  type ClientRecord,
  type OAuthFailure,
  type ProfileName,
  profiles,
} from './profiles.ts';
import { type AuthStats, createStats } from './stats.ts';
import { type AccessTokenClaims, createTokenSigner } from './token-signer.ts';

export const DEFAULT_CLIENTS: readonly ClientRecord[] = [
  { clientId: 'demo-client', clientSecret: 'demo-secret', tenants: ['acme', 'globex'] },
  // A self-chosen id and secret that RFC 6749 §2.3.1 encoding must carry intact (seed 002).
  { clientId: 'my:client id+1', clientSecret: 's3cr%t:&=+/ü' },
];

/** The `aud` of issued tokens unless the request names an `audience`. */
export const DEFAULT_AUDIENCE = 'm2m-auth-test-api';

export interface AuthServerOptions {
  clients?: readonly ClientRecord[];
}

export interface AuthControl {
  /** Lifetime of tokens issued from now on, for one profile or all. */
  setLifetime(seconds: number, profile?: ProfileName): void;
  /** Back to each profile's default lifetime. */
  resetLifetimes(): void;
  /** Revokes every token issued so far: the resource server answers 401 for them. */
  revokeAll(): void;
  /** Revokes one token, given as the JWT or its `jti`. */
  revoke(tokenOrJti: string): void;
  /** Gives a client a new secret (random unless given); the old one stops working at once. */
  rotateSecret(clientId: string, secret?: string): string;
  /** Injects `fault` into the next `times` token requests (any profile), in order. */
  inject(fault: Fault, times?: number): void;
  clearFaults(): void;
}

export interface AuthServer {
  /** `http://127.0.0.1:<port>`, also the `iss` of every token. */
  url: string;
  tokenUrl(profile: ProfileName): string;
  stats: AuthStats;
  control: AuthControl;
  /** Claims of a valid, unrevoked token from this server; `undefined` otherwise. */
  verify(token: string): Promise<AccessTokenClaims | undefined>;
  close(): Promise<void>;
}

const byPath = new Map(Object.values(profiles).map((p) => [p.path, p]));
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function fail(res: ServerResponse, failure: OAuthFailure) {
  sendJson(
    res,
    failure.status,
    { error: failure.error, error_description: failure.description },
    {
      ...NO_STORE,
      ...failure.headers,
    },
  );
}

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const clients = new Map((options.clients ?? DEFAULT_CLIENTS).map((c) => [c.clientId, { ...c }]));
  const lifetimes = new Map<ProfileName, number>();
  const faults = createFaultQueue();
  const stats = createStats();
  let signer: Awaited<ReturnType<typeof createTokenSigner>> | undefined;
  let url = '';

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const profile = byPath.get((req.url ?? '').split('?')[0] ?? '');
    if (!profile || !signer) return sendJson(res, 404, { error: 'not_found' });
    const form = parseTokenForm(req, body);
    const params = form.ok ? form.params : new Map<string, string>();
    const entry = {
      at: Date.now(),
      profile: profile.name,
      clientId: params.get('client_id') ?? basicCredentials(req, true)?.clientId,
      scope: params.get('scope'),
      authMethod: authMethodSeen(req, params),
      status: 200,
      issued: false,
      fault: undefined as string | undefined,
    };
    const finish = (status: number) => stats.record({ ...entry, status });
    const fault = faults.next();
    if (fault) {
      entry.fault = fault.type;
      if (fault.type === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (answerWithFault(res, fault)) return finish(fault.type === 'reset' ? 0 : res.statusCode);
    }
    const reject = (failure: OAuthFailure) => {
      fail(res, failure);
      finish(failure.status);
    };
    if (req.method !== 'POST')
      return reject({ status: 405, error: 'invalid_request', description: 'use POST' });
    if (!form.ok)
      return reject({ status: 400, error: 'invalid_request', description: form.description });
    const grant = params.get('grant_type');
    if (!grant)
      return reject({
        status: 400,
        error: 'invalid_request',
        description: 'grant_type is required',
      });
    if (grant !== 'client_credentials') {
      return reject({
        status: 400,
        error: 'unsupported_grant_type',
        description: `grant_type ${grant} is not supported`,
      });
    }
    const client = profile.authenticate(req, params, clients);
    if ('error' in client) return reject(client);
    entry.clientId = client.clientId;
    const scope = profile.grantScope(params.get('scope'), client);
    if (typeof scope === 'object') return reject(scope);
    const lifetime = lifetimes.get(profile.name) ?? profile.lifetimeSeconds;
    const { token } = await signer.issue({
      subject: client.clientId,
      audience: params.get('audience') ?? DEFAULT_AUDIENCE,
      scope,
      lifetimeSeconds: lifetime,
    });
    const expiresIn =
      fault?.type === 'bad-expires-in'
        ? 'abc'
        : profile.expiresInAsString
          ? String(lifetime)
          : lifetime;
    sendJson(
      res,
      200,
      {
        access_token: token,
        token_type: 'Bearer',
        expires_in: expiresIn,
        ...(scope ? { scope } : {}),
      },
      NO_STORE,
    );
    stats.record({ ...entry, status: 200, issued: true });
  }

  const listening = await listen((req, res, body) => {
    if (req.url === '/.well-known/jwks.json' && signer) return sendJson(res, 200, signer.jwks);
    return tokenEndpoint(req, res, body);
  });
  url = listening.url;
  signer = await createTokenSigner(url);
  const tokens = signer;

  return {
    url,
    tokenUrl: (profile) => `${url}${profiles[profile].path}`,
    stats,
    verify: (token) => tokens.verify(token),
    close: () => listening.close(),
    control: {
      setLifetime(seconds, profile) {
        for (const name of profile ? [profile] : (Object.keys(profiles) as ProfileName[]))
          lifetimes.set(name, seconds);
      },
      resetLifetimes: () => lifetimes.clear(),
      revokeAll: () => tokens.revokeAll(),
      revoke(tokenOrJti) {
        const jti = tokenOrJti.includes('.')
          ? (
              JSON.parse(Buffer.from(tokenOrJti.split('.')[1] ?? '', 'base64url').toString()) as {
                jti: string;
              }
            ).jti
          : tokenOrJti;
        tokens.revoke(jti);
      },
      rotateSecret(clientId, secret = `rotated-${crypto.randomUUID()}`) {
        const client = clients.get(clientId);
        if (!client) throw new Error(`unknown client ${clientId}`);
        client.clientSecret = secret;
        return secret;
      },
      inject: (fault, times) => faults.inject(fault, times),
      clearFaults: () => faults.clear(),
    },
  };
}
