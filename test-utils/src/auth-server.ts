/**
 * `startAuthServer`: a real OAuth 2.0 token endpoint on 127.0.0.1 with the vendor profiles
 * of `profiles.ts`, JWT access tokens, client assertions, discovery metadata, a clock a test
 * can skew, fault injection, DPoP (RFC 9449) on the `dpop` profile and request statistics.
 */
import { createAssertionVerifier } from './client-assertion.ts';
import { createClock, httpDate } from './clock.ts';
import {
  type AuthServerMetadata,
  type DiscoveryOverrides,
  defaultMetadata,
  discoveryAnswer,
} from './discovery.ts';
import { createDpopNonces, type DpopRotateOptions } from './dpop-nonces.ts';
import { createDpopVerifier } from './dpop-verifier.ts';
import { createFaultQueue, type Fault } from './faults.ts';
import { listen, sendJson } from './http.ts';
import { type ClientRecord, type ProfileName, profiles } from './profiles.ts';
import { type AuthStats, createStats } from './stats.ts';
import { type TokenEndpointState, tokenEndpoint } from './token-endpoint.ts';
import { type AccessTokenClaims, createTokenSigner } from './token-signer.ts';

export { DEFAULT_AUDIENCE } from './token-endpoint.ts';

export const DEFAULT_CLIENTS: readonly ClientRecord[] = [
  { clientId: 'demo-client', clientSecret: 'demo-secret', tenants: ['acme', 'globex'] },
  // A self-chosen id and secret that RFC 6749 §2.3.1 encoding must carry intact (seed 002).
  { clientId: 'my:client id+1', clientSecret: 's3cr%t:&=+/ü' },
];

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
  /**
   * Changes the discovery documents from now on (`undefined`: back to the defaults); each
   * call replaces the previous overrides.
   */
  setDiscovery(overrides: DiscoveryOverrides | undefined): void;
  /**
   * The server's clock becomes `Date.now() + ms` (0: the real time) for the `Date` header,
   * issued tokens' `iat`/`exp`, assertion checks and token expiry at the resource server.
   */
  setClockOffset(ms: number): void;
  /**
   * Whether DPoP proofs on the `dpop` profile must carry the server's nonce (default true:
   * a first request without it gets `400 use_dpop_nonce` and a `DPoP-Nonce` header).
   */
  requireDpopNonce(required: boolean): void;
  /**
   * A new DPoP nonce; the old one is refused at once (`use_dpop_nonce`) unless
   * `acceptPrevious`, which keeps it valid until the next rotation while successful answers
   * announce the new one in `DPoP-Nonce`. Returns the new nonce.
   */
  rotateDpopNonce(options?: DpopRotateOptions): string;
  /** The DPoP nonce the token endpoint demands now. */
  dpopNonce(): string;
}

export interface AuthServer {
  /** `http://127.0.0.1:<port>`, also the `iss` of every token and the discovery `issuer`. */
  url: string;
  tokenUrl(profile: ProfileName): string;
  /** The default discovery metadata (what both documents serve without overrides). */
  readonly metadata: Readonly<AuthServerMetadata>;
  /** The server's "now" in milliseconds: `Date.now()` plus the clock offset. */
  now(): number;
  stats: AuthStats;
  control: AuthControl;
  /** Claims of a valid, unrevoked token from this server (by its clock); else `undefined`. */
  verify(token: string): Promise<AccessTokenClaims | undefined>;
  /**
   * Resolves when the next token request has arrived (its body read), before it is answered:
   * for a test that acts while the request is out (say, held by a `delay` fault).
   */
  nextTokenRequest(): Promise<void>;
  /** Resolves once every token request received so far is answered and in `stats`. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const jtiOf = (tokenOrJti: string) =>
  tokenOrJti.includes('.')
    ? (
        JSON.parse(Buffer.from(tokenOrJti.split('.')[1] ?? '', 'base64url').toString()) as {
          jti: string;
        }
      ).jti
    : tokenOrJti;

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const clients = new Map((options.clients ?? DEFAULT_CLIENTS).map((c) => [c.clientId, { ...c }]));
  const lifetimes = new Map<ProfileName, number>();
  const faults = createFaultQueue();
  const stats = createStats();
  const clock = createClock();
  let discovery: DiscoveryOverrides | undefined;
  // Filled in once the port, hence the issuer, is known.
  let state: TokenEndpointState | undefined;
  const answering = new Set<Promise<void>>();
  const arrivals: Array<() => void> = [];

  const listening = await listen((req, res, body) => {
    if (!state) return sendJson(res, 503, { error: 'temporarily_unavailable' });
    const path = (req.url ?? '').split('?')[0] ?? '';
    const document = discoveryAnswer(path, defaultMetadata(url, tokenUrl('strict-rfc')), discovery);
    if (!document && path !== '/.well-known/jwks.json') {
      const answer = tokenEndpoint(state, req, res, body);
      answering.add(answer);
      void answer.finally(() => answering.delete(answer)).catch(() => undefined);
      for (const arrived of arrivals.splice(0)) arrived();
      return answer;
    }
    res.setHeader('date', httpDate(clock.now()));
    if (!document) return sendJson(res, 200, state.signer.jwks);
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'invalid_request' });
    stats.recordDiscovery(document.document);
    return sendJson(res, document.status, document.body);
  });
  const url = listening.url;
  const tokenUrl = (profile: ProfileName) => `${url}${profiles[profile].path}`;
  const signer = await createTokenSigner(url, clock.now);
  const assertions = createAssertionVerifier({
    audiences: [tokenUrl('strict-rfc'), tokenUrl('dpop'), url],
    now: clock.now,
  });
  const dpop = createDpopVerifier({ now: clock.now, nonces: createDpopNonces() });
  state = { clients, lifetimes, faults, stats, signer, assertions, clock, dpop, url };

  return {
    url,
    tokenUrl,
    metadata: defaultMetadata(url, tokenUrl('strict-rfc')),
    now: clock.now,
    stats,
    verify: (token) => signer.verify(token),
    nextTokenRequest: () => new Promise<void>((resolve) => arrivals.push(resolve)),
    async idle() {
      while (answering.size > 0) await Promise.allSettled([...answering]);
    },
    close: () => listening.close(),
    control: {
      setLifetime(seconds, profile) {
        for (const name of profile ? [profile] : (Object.keys(profiles) as ProfileName[]))
          lifetimes.set(name, seconds);
      },
      resetLifetimes: () => lifetimes.clear(),
      revokeAll: () => signer.revokeAll(),
      revoke: (tokenOrJti) => signer.revoke(jtiOf(tokenOrJti)),
      rotateSecret(clientId, secret = `rotated-${crypto.randomUUID()}`) {
        const client = clients.get(clientId);
        if (!client) throw new Error(`unknown client ${clientId}`);
        client.clientSecret = secret;
        return secret;
      },
      inject: (fault, times) => faults.inject(fault, times),
      clearFaults: () => faults.clear(),
      setDiscovery(overrides) {
        discovery = overrides;
      },
      setClockOffset: (ms) => clock.setOffset(ms),
      requireDpopNonce: (required) => dpop.nonces.require(required),
      rotateDpopNonce: (rotate) => dpop.nonces.rotate(rotate),
      dpopNonce: () => dpop.nonces.current,
    },
  };
}
