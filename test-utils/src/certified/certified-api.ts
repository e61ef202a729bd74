/**
 * `startCertifiedApi({ server, format })`: a protected API on 127.0.0.1 whose resource
 * indicator is its own URL, registered at the certified server for JWT or opaque access
 * tokens. It learns the server's endpoints from its discovery document and checks each token
 * by the server's rules (`access-token-check.ts`); a DPoP-bound token (`cnf.jkt`) only under
 * the `DPoP` scheme with a valid proof and the API's own nonce (`resource-dpop.ts`).
 *
 * Routes (any method): `/public` needs no token; every other path answers 200 with what the
 * API saw of the token (`method`, `path`, `client_id`, `aud`, `scope`, `bound`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDpopNonces, type DpopRotateOptions } from '../dpop-nonces.ts';
import { createDpopVerifier, type DpopProofRecord } from '../dpop-verifier.ts';
import { listen, sendJson } from '../http.ts';
import { checkDpopAccess, dpopChallenge } from '../resource-dpop.ts';
import {
  introspectionCheck,
  jwtAccessTokenCheck,
  type ServerMetadata,
  type TokenCheck,
} from './access-token-check.ts';
import type { AccessTokenFormat, CertifiedServer } from './certified-server.ts';

export interface CertifiedApiRecord {
  method: string;
  path: string;
  /** The `Authorization` header as received. */
  authorization: string | undefined;
  /** The status it was answered with (0 until then). */
  status: number;
  /**
   * The `WWW-Authenticate` challenge of a 401 for the token itself (missing, invalid, expired,
   * revoked, another resource's); a refused DPoP proof is in `dpop` instead.
   */
  challenge: string | undefined;
  /** The DPoP proof as received and its outcome, when one came or the token is bound. */
  dpop?: DpopProofRecord;
}

export interface CertifiedApi {
  url: string;
  /** The resource indicator to ask tokens for: `url`. */
  resource: string;
  format: AccessTokenFormat;
  /** Every request seen, in order. */
  requests: CertifiedApiRecord[];
  /** Whether proofs must carry the API's DPoP nonce (default true). */
  requireDpopNonce(required: boolean): void;
  /** A new DPoP nonce for the API; the old one gets `use_dpop_nonce` unless `acceptPrevious`. */
  rotateDpopNonce(options?: DpopRotateOptions): string;
  /** Clears `requests` (the nonce settings stay). */
  reset(): void;
  close(): Promise<void>;
}

const bearerChallenge = (description: string) =>
  `Bearer realm="certified-api", error="invalid_token", error_description="${description}"`;

function refuse(
  res: ServerResponse,
  seen: CertifiedApiRecord,
  scheme: string | undefined,
  description: string,
) {
  seen.challenge =
    scheme === 'DPoP' ? dpopChallenge('invalid_token', description) : bearerChallenge(description);
  const body = { error: 'invalid_token', error_description: description };
  sendJson(res, 401, body, { 'www-authenticate': seen.challenge });
}

async function discover(issuer: string): Promise<ServerMetadata> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  const metadata = (await response.json()) as ServerMetadata;
  if (metadata.issuer !== issuer)
    throw new Error(`discovery names another issuer: ${metadata.issuer}`);
  return metadata;
}

export async function startCertifiedApi(options: {
  server: CertifiedServer;
  /** @default 'jwt' */
  format?: AccessTokenFormat;
}): Promise<CertifiedApi> {
  const { server } = options;
  const format = options.format ?? 'jwt';
  const requests: CertifiedApiRecord[] = [];
  const dpop = createDpopVerifier({ now: Date.now, nonces: createDpopNonces() });
  let url = '';
  let check: TokenCheck = async () => ({ ok: false, description: 'the API is starting' });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://api.local').pathname;
    const authorization = req.headers.authorization;
    const seen: CertifiedApiRecord = {
      method: req.method ?? 'GET',
      path,
      authorization,
      status: 0,
      challenge: undefined,
    };
    requests.push(seen);
    res.on('finish', () => {
      seen.status = res.statusCode;
    });
    if (path === '/public') return sendJson(res, 200, { ok: true });

    const [, written, token] = /^(Bearer|DPoP) (\S+)$/i.exec(authorization ?? '') ?? [];
    const scheme = written?.toLowerCase() === 'dpop' ? 'DPoP' : written && 'Bearer';
    if (!scheme || !token) return refuse(res, seen, undefined, 'an access token is required');
    const verdict = await check(token);
    if (!verdict.ok) return refuse(res, seen, scheme, verdict.description);
    const { claims } = verdict;
    const access = await checkDpopAccess(dpop, req, res, {
      scheme,
      token,
      claims,
      htu: `${url}${path}`,
    });
    if (access.record) seen.dpop = access.record;
    if (!access.ok) return;
    sendJson(res, 200, {
      method: seen.method,
      path,
      client_id: claims.client_id,
      aud: claims.aud,
      scope: claims.scope ?? null,
      bound: claims.cnf?.jkt !== undefined,
    });
  }

  const listening = await listen(handle);
  url = listening.url;
  server.registerResource(url, format);
  const metadata = await discover(server.issuer);
  check =
    format === 'jwt'
      ? jwtAccessTokenCheck(metadata, url)
      : introspectionCheck(metadata, url, server.clients.api);

  return {
    url,
    resource: url,
    format,
    requests,
    requireDpopNonce: (required) => dpop.nonces.require(required),
    rotateDpopNonce: (rotate) => dpop.nonces.rotate(rotate),
    reset() {
      requests.length = 0;
    },
    close: () => listening.close(),
  };
}
