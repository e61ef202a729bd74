/**
 * An RFC 8705 mutual-TLS authorization server for tests, on 127.0.0.1 only:
 *
 * - `generatePki()` makes a throw-away PKI with the `openssl` CLI: a CA, a server certificate
 *   for `127.0.0.1` and `localhost`, client certificates signed by that CA (subject CN = the
 *   client id), and one client certificate from another, untrusted CA. Nothing is written
 *   outside a temp dir, which is removed before it returns.
 * - `startTlsTokenServer()` serves `POST /oauth/token` (`tls_client_auth`, §2.1: the client
 *   is who its certificate says, the form carries only `grant_type` and `client_id`) and a
 *   protected resource `GET /api/whoami` that accepts a token only over a connection with the
 *   certificate the token is bound to (§3, `cnf.x5t#S256`).
 *
 * Where `openssl` is missing, `opensslBinary()` says so loudly and returns `undefined`; under
 * `CI=true` it throws, as the project's rule for missing servers wants.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { jwtVerify, SignJWT } from 'jose';

/** The path of `openssl`, or `undefined` (with a loud warning) when it is missing. */
export function opensslBinary(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'openssl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  const message =
    'openssl is not installed: the mTLS tests cannot generate certificates (apt-get install -y openssl)';
  if (process.env['CI'] === 'true') throw new Error(`${message}. Under CI=true this is a failure.`);
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPED: ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}

/** PEM text of a certificate and its private key. */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestPki {
  /** The CA the server trusts for client certificates and the clients trust for the server. */
  ca: string;
  server: KeyPair;
  /** Client certificates signed by `ca`, by client id (= subject CN). */
  clients: Record<string, KeyPair>;
  /** A client certificate (CN `billing-worker`) from a CA nobody here trusts. */
  untrusted: KeyPair;
}

/**
 * Generates the PKI with `openssl` (P-256 keys, one day of validity). Uses only options that
 * OpenSSL 1.1.1 and 3.x share.
 */
export function generatePki(openssl: string, clientIds: readonly string[]): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'm2m-mtls-'));
  const run = (...args: string[]) =>
    execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const makeCa = (name: string, cn: string) => {
    run(
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  };
  const issue = (name: string, cn: string, ca: string, extensions: string): KeyPair => {
    writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
    run('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
    return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
  };
  try {
    makeCa('ca', 'm2m-auth test CA');
    makeCa('rogue-ca', 'm2m-auth untrusted CA');
    const clientExt = 'extendedKeyUsage=clientAuth';
    return {
      ca: read('ca.crt'),
      server: issue(
        'server',
        'localhost',
        'ca',
        'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth',
      ),
      clients: Object.fromEntries(
        clientIds.map((id, i) => [id, issue(`client-${i}`, id, 'ca', clientExt)]),
      ),
      untrusted: issue('untrusted', 'billing-worker', 'rogue-ca', clientExt),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RFC 8705 §3.1: base64url of the SHA-256 of the DER certificate. */
export function thumbprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

export interface TokenRequestRecord {
  /** Subject CN of the client certificate the connection was authenticated with. */
  certCn: string | undefined;
  /** Its `x5t#S256` thumbprint. */
  certThumbprint: string;
  /** The form, as received, in order. */
  form: Array<[string, string]>;
  authorization: string | undefined;
  status: number;
}

export interface ApiRequestRecord {
  certCn: string | undefined;
  status: number;
}

export interface TlsTokenServer {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  readonly tokenUrl: string;
  /** The protected resource: answers `{ client }` for a token bound to the presented cert. */
  readonly apiUrl: string;
  readonly tokenRequests: TokenRequestRecord[];
  readonly apiRequests: ApiRequestRecord[];
  /** TLS handshakes the server refused (no certificate, untrusted issuer). */
  readonly tlsErrors: string[];
  /** Every access token issued, for leak checks. */
  readonly issuedTokens: string[];
  close(): Promise<void>;
}

export interface TlsTokenServerOptions {
  pki: TestPki;
  /** Registered `tls_client_auth` clients: client id -> expected subject CN (§2.1.2). */
  clients: Record<string, string>;
  expiresIn?: number;
  /** Delay before answering a token request, to let concurrent callers pile up. */
  tokenDelayMs?: number;
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTlsTokenServer(options: TlsTokenServerOptions): Promise<TlsTokenServer> {
  const { pki, clients, expiresIn = 300, tokenDelayMs = 0 } = options;
  const signingKey = randomBytes(32);
  const tokenRequests: TokenRequestRecord[] = [];
  const apiRequests: ApiRequestRecord[] = [];
  const tlsErrors: string[] = [];
  const issuedTokens: string[] = [];

  async function token(
    req: IncomingMessage,
    res: ServerResponse,
    cn: string | undefined,
    x5t: string,
  ) {
    const form = [...new URLSearchParams(await readBody(req))];
    const record: TokenRequestRecord = {
      certCn: cn,
      certThumbprint: x5t,
      form,
      authorization: req.headers.authorization,
      status: 0,
    };
    tokenRequests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      send(res, status, body);
    };
    if (tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
    const params = new URLSearchParams(form);
    if (params.get('grant_type') !== 'client_credentials') {
      return answer(400, { error: 'unsupported_grant_type' });
    }
    const clientId = params.get('client_id');
    // §2.1.1: the client id names the client; the certificate must be the one registered for it.
    if (!clientId || clients[clientId] === undefined || clients[clientId] !== cn) {
      return answer(401, {
        error: 'invalid_client',
        error_description: 'client certificate does not match client_id',
      });
    }
    const accessToken = await new SignJWT({ cnf: { 'x5t#S256': x5t } })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(clientId)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .sign(signingKey);
    issuedTokens.push(accessToken);
    return answer(200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
  }

  async function api(
    req: IncomingMessage,
    res: ServerResponse,
    cn: string | undefined,
    x5t: string,
  ) {
    const record: ApiRequestRecord = { certCn: cn, status: 0 };
    apiRequests.push(record);
    const refuse = (description: string) => {
      record.status = 401;
      send(
        res,
        401,
        { error: 'invalid_token', error_description: description },
        { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` },
      );
    };
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) return refuse('no bearer token');
    try {
      const { payload } = await jwtVerify(bearer, signingKey);
      const bound = (payload['cnf'] as Record<string, unknown> | undefined)?.['x5t#S256'];
      // §3: a certificate-bound token is only good over a connection with that certificate.
      if (bound !== x5t) return refuse('token is bound to another certificate');
      record.status = 200;
      return send(res, 200, { client: payload.sub });
    } catch {
      return refuse('token invalid or expired');
    }
  }

  const server: Server = createServer(
    {
      key: pki.server.key,
      cert: pki.server.cert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      // rejectUnauthorized: only connections with a certificate from our CA get here.
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const cn = typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined;
      const x5t = thumbprint(peer.raw);
      const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
      const handled =
        req.method === 'POST' && path === '/oauth/token'
          ? token(req, res, cn, x5t)
          : req.method === 'GET' && path === '/api/whoami'
            ? api(req, res, cn, x5t)
            : Promise.resolve(send(res, 404, { error: 'not_found' }));
      handled.catch(() => {
        if (!res.headersSent) send(res, 500, { error: 'server_error' });
      });
    },
  );
  server.on('tlsClientError', (error: Error & { code?: string }) => {
    tlsErrors.push(error.code ?? error.message);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;
  return {
    origin,
    tokenUrl: `${origin}/oauth/token`,
    apiUrl: `${origin}/api/whoami`,
    tokenRequests,
    apiRequests,
    tlsErrors,
    issuedTokens,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
