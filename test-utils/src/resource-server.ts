/**
 * `startResourceServer`: a protected API that verifies the authorization server's JWTs for
 * real (signature, expiry, issuer, revocation), under `Bearer`, or under `DPoP` with a proof
 * for DPoP-bound tokens (`resource-dpop.ts`), with its own DPoP nonce.
 *
 * Routes (any method):
 * - `/echo...`: method, path, body length and SHA-256, the token's `jti` and `scope`;
 * - `/graphql`: the same fields as a GraphQL answer, `{ "data": { "echo": {...} } }`, for
 *   GraphQL clients (graphql-request, Apollo), which refuse an answer without `data`;
 * - `/scoped/<scope>`: 403 `insufficient_scope` unless the token has `<scope>`;
 * - `/forbidden`: 403 for any valid token;
 * - `/forbidden-echo`: 403 that echoes the request's `Authorization` in `x-echo-authorization`
 *   (an API that reflects what it got, for leak tests);
 * - `/always-401`: 401 `invalid_token` whatever the token;
 * - `/redirect?to=<url>&status=<3xx>`: a redirect to `<url>`, 302 unless `status` is 301, 303,
 *   307 or 308 (use another origin for leak tests);
 * - `/public`: no token needed.
 *
 * `inject(fault, times)` answers the next requests (any route) with a fault before anything
 * else: a 503, a reset socket (`{ type: 'pass' }` lets one through first).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthServer } from './auth-server.ts';
import { createDpopNonces, type DpopRotateOptions } from './dpop-nonces.ts';
import { createDpopVerifier, type DpopProofRecord } from './dpop-verifier.ts';
import { answerWithFault, createFaultQueue, type Fault } from './faults.ts';
import { listen, sendJson } from './http.ts';
import { checkDpopAccess, dpopChallenge } from './resource-dpop.ts';
import { countDpop, type DpopTally, emptyDpopTally } from './stats.ts';
import type { AccessTokenClaims } from './token-signer.ts';

export interface ResourceCounters {
  total: number;
  withToken: number;
  withoutToken: number;
  /** Answers with status 401. */
  unauthorized: number;
  /** Requests per path (without the query). */
  byPath: Record<string, number>;
  /** DPoP proofs seen, by outcome (`useDpopNonce`: 401 answers demanding the nonce). */
  dpop: DpopTally;
}

export interface ResourceRequestRecord {
  method: string;
  path: string;
  authorization: string | undefined;
  bodyLength: number;
  status: number;
  /** The DPoP proof as received and its outcome, when one came or the token is DPoP-bound. */
  dpop?: DpopProofRecord;
  /** The raw `DPoP` header, when one came (recorded before any check or fault). */
  proof?: string;
}

export interface ResourceServer {
  url: string;
  counters: ResourceCounters;
  /** Every request seen, in order, with the status it was answered with (0 until then). */
  requests: ResourceRequestRecord[];
  /** Whether proofs must carry the API's DPoP nonce (default true: the nonce dance, §9). */
  requireDpopNonce(required: boolean): void;
  /**
   * A new DPoP nonce for the API; the old one gets `use_dpop_nonce` at once unless
   * `acceptPrevious` (then successful answers announce the new one in `DPoP-Nonce`).
   */
  rotateDpopNonce(options?: DpopRotateOptions): string;
  /** The DPoP nonce the API demands now. */
  dpopNonce(): string;
  /** Answers the next `times` requests with `fault` (after any queued before), in order. */
  inject(fault: Fault, times?: number): void;
  /** Clears counters, records and faults (the DPoP nonce settings stay). */
  reset(): void;
  close(): Promise<void>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const challenge = (error: string, description: string) =>
  `Bearer realm="api", error="${error}", error_description="${description}"`;

function unauthorized(res: ServerResponse, description: string) {
  sendJson(
    res,
    401,
    { error: 'invalid_token', error_description: description },
    {
      'www-authenticate': challenge('invalid_token', description),
    },
  );
}

export async function startResourceServer(options: {
  authServer: AuthServer;
}): Promise<ResourceServer> {
  const counters: ResourceCounters = {
    total: 0,
    withToken: 0,
    withoutToken: 0,
    unauthorized: 0,
    byPath: {},
    dpop: emptyDpopTally(),
  };
  const requests: ResourceRequestRecord[] = [];
  const faults = createFaultQueue();
  const dpop = createDpopVerifier({
    now: options.authServer.now,
    nonces: createDpopNonces(),
  });
  let base = '';

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? '/', 'http://api.local');
    const path = url.pathname;
    const authorization = req.headers.authorization;
    counters.total++;
    counters.byPath[path] = (counters.byPath[path] ?? 0) + 1;
    counters[authorization ? 'withToken' : 'withoutToken']++;
    const seen: ResourceRequestRecord = {
      method: req.method ?? 'GET',
      path,
      authorization,
      bodyLength: body.length,
      status: 0,
    };
    const proof = req.headers['dpop'];
    if (typeof proof === 'string') seen.proof = proof;
    requests.push(seen);
    res.on('finish', () => {
      seen.status = res.statusCode;
      if (res.statusCode === 401) counters.unauthorized++;
      countDpop(counters.dpop, seen.dpop);
    });

    const fault = faults.next();
    if (fault && answerWithFault(res, fault)) return;
    if (path === '/public') return sendJson(res, 200, { ok: true });
    if (path === '/redirect') {
      const status = Number(url.searchParams.get('status'));
      res.writeHead(REDIRECT_STATUSES.has(status) ? status : 302, {
        location: url.searchParams.get('to') ?? '/echo',
      });
      return res.end();
    }
    if (path === '/always-401') return unauthorized(res, 'this route never accepts a token');
    if (path === '/forbidden-echo') {
      return sendJson(
        res,
        403,
        { error: 'insufficient_scope' },
        {
          'x-echo-authorization': authorization ?? '',
        },
      );
    }
    const [, scheme, token] = /^(Bearer|DPoP) (\S+)$/i.exec(authorization ?? '') ?? [];
    if (!scheme || !token) return unauthorized(res, 'a bearer token is required');
    const isDpop = scheme.toLowerCase() === 'dpop';
    const claims: AccessTokenClaims | undefined = await options.authServer.verify(token);
    if (!claims) {
      const description = 'the token is invalid, expired or revoked';
      if (!isDpop) return unauthorized(res, description);
      const challenge = dpopChallenge('invalid_token', description);
      const body = { error: 'invalid_token', error_description: description };
      return sendJson(res, 401, body, { 'www-authenticate': challenge });
    }
    const access = await checkDpopAccess(dpop, req, res, {
      scheme: isDpop ? 'DPoP' : 'Bearer',
      token,
      claims,
      htu: `${base}${path}`,
    });
    if (access.record) seen.dpop = access.record;
    if (!access.ok) return;

    const scopes = (claims.scope ?? '').split(' ');
    if (
      path === '/forbidden' ||
      (path.startsWith('/scoped/') && !scopes.includes(decodeURIComponent(path.slice(8))))
    ) {
      return sendJson(
        res,
        403,
        { error: 'insufficient_scope' },
        {
          'www-authenticate': challenge(
            'insufficient_scope',
            'the token lacks the scope this route needs',
          ),
        },
      );
    }
    const echo = {
      method: req.method,
      path,
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      jti: claims.jti,
      scope: claims.scope ?? null,
      sub: claims.sub,
    };
    sendJson(res, 200, path === '/graphql' ? { data: { echo } } : echo);
  }

  const listening = await listen(handle);
  base = listening.url;
  return {
    url: listening.url,
    counters,
    requests,
    requireDpopNonce: (required) => dpop.nonces.require(required),
    rotateDpopNonce: (rotate) => dpop.nonces.rotate(rotate),
    dpopNonce: () => dpop.nonces.current,
    reset() {
      Object.assign(counters, {
        total: 0,
        withToken: 0,
        withoutToken: 0,
        unauthorized: 0,
        byPath: {},
        dpop: emptyDpopTally(),
      });
      requests.length = 0;
      faults.clear();
    },
    inject: (fault, times) => faults.inject(fault, times),
    close: () => listening.close(),
  };
}
