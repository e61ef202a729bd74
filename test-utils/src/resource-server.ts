/**
 * `startResourceServer`: a protected API that verifies the authorization server's JWTs for
 * real (signature, expiry, issuer, revocation).
 *
 * Routes (any method):
 * - `/echo...`: method, path, body length and SHA-256, the token's `jti` and `scope`;
 * - `/scoped/<scope>`: 403 `insufficient_scope` unless the token has `<scope>`;
 * - `/forbidden`: 403 for any valid token;
 * - `/always-401`: 401 `invalid_token` whatever the token;
 * - `/redirect?to=<url>`: 302 to `<url>` (use another origin for leak tests);
 * - `/public`: no token needed.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthServer } from './auth-server.ts';
import { listen, sendJson } from './http.ts';
import type { AccessTokenClaims } from './token-signer.ts';

export interface ResourceCounters {
  total: number;
  withToken: number;
  withoutToken: number;
  /** Answers with status 401. */
  unauthorized: number;
  /** Requests per path (without the query). */
  byPath: Record<string, number>;
}

export interface ResourceServer {
  url: string;
  counters: ResourceCounters;
  /** Every request seen, in order, with the status it was answered with (0 until then). */
  requests: Array<{
    method: string;
    path: string;
    authorization: string | undefined;
    bodyLength: number;
    status: number;
  }>;
  reset(): void;
  close(): Promise<void>;
}

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
  };
  const requests: ResourceServer['requests'] = [];

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? '/', 'http://api.local');
    const path = url.pathname;
    const authorization = req.headers.authorization;
    counters.total++;
    counters.byPath[path] = (counters.byPath[path] ?? 0) + 1;
    counters[authorization ? 'withToken' : 'withoutToken']++;
    const seen = {
      method: req.method ?? 'GET',
      path,
      authorization,
      bodyLength: body.length,
      status: 0,
    };
    requests.push(seen);
    res.on('finish', () => {
      seen.status = res.statusCode;
      if (res.statusCode === 401) counters.unauthorized++;
    });

    if (path === '/public') return sendJson(res, 200, { ok: true });
    if (path === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/echo' });
      return res.end();
    }
    if (path === '/always-401') return unauthorized(res, 'this route never accepts a token');
    const bearer = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer) return unauthorized(res, 'a bearer token is required');
    const claims: AccessTokenClaims | undefined = await options.authServer.verify(bearer);
    if (!claims) return unauthorized(res, 'the token is invalid, expired or revoked');

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
    sendJson(res, 200, {
      method: req.method,
      path,
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      jti: claims.jti,
      scope: claims.scope ?? null,
      sub: claims.sub,
    });
  }

  const listening = await listen(handle);
  return {
    url: listening.url,
    counters,
    requests,
    reset() {
      Object.assign(counters, {
        total: 0,
        withToken: 0,
        withoutToken: 0,
        unauthorized: 0,
        byPath: {},
      });
      requests.length = 0;
    },
    close: () => listening.close(),
  };
}
