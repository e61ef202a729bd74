/**
 * The three seed vendors' token endpoints, modelled on a real HTTP server on 127.0.0.1, and
 * the provider configured as the core README shows for each. (test-utils will grow the full
 * profiles with fault injection; this keeps core's own integration honest meanwhile.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OAuthError } from '../src/errors.ts';
import { createTokenProvider } from '../src/token-provider.ts';

const jwtKey = new TextEncoder().encode('integration-test-hmac-key-0123456789');
const counts = { cognito: 0, tenant: 0, generic: 0, huge: 0 };
const methodsSeen: string[] = [];

const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

/** RFC 6749 §2.3.1: Base64, split at the first ':', then form-decode each half. */
function basic(req: IncomingMessage, decode: boolean): [string, string] | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const pair = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  const [id, secret] = [pair.slice(0, colon), pair.slice(colon + 1)];
  return decode ? [formDecode(id), formDecode(secret)] : [id, secret];
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const clients: Record<string, { secret: string; tenants?: string[] }> = {
  'fenris-client': { secret: 'fenris-secret' },
  'fenergo-client': { secret: 'fenergo/secret+1', tenants: ['acme', 'globex'] },
  'my:client id+1': { secret: 's3cr%t:&=+/ü' },
};

async function handle(req: IncomingMessage, res: ServerResponse, body: URLSearchParams) {
  const path = req.url ?? '';
  if (path === '/cognito/oauth2/token') {
    counts.cognito++;
    const creds = basic(req, false);
    if (!creds || clients[creds[0]]?.secret !== creds[1] || body.get('client_id') !== creds[0]) {
      return send(res, 401, { error: 'invalid_client' });
    }
    return send(res, 200, {
      access_token: `cognito-${counts.cognito}`,
      token_type: 'Bearer',
      expires_in: '86400',
    });
  }
  if (path === '/tenant/token') {
    counts.tenant++;
    methodsSeen.push(req.headers.authorization ? 'basic' : 'post');
    const id = body.get('client_id') ?? '';
    if (req.headers.authorization || clients[id]?.secret !== body.get('client_secret')) {
      return send(res, 401, {
        error: 'invalid_client',
        error_description: 'credentials in the body only',
      });
    }
    const tenant = /^tenant\/(.+)$/.exec(body.get('scope') ?? '')?.[1];
    if (!tenant || !clients[id]?.tenants?.includes(tenant)) {
      return send(res, 400, { error: 'invalid_scope', error_description: 'unknown tenant' });
    }
    const jwt = await new SignJWT({ scope: `tenant/${tenant}` })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(id)
      .setIssuedAt()
      .setExpirationTime('900s')
      .sign(jwtKey);
    return send(res, 200, {
      access_token: jwt,
      expires_in: 900,
      token_type: 'Bearer',
      scope: `tenant/${tenant}`,
    });
  }
  if (path === '/generic/oauth/v2/token') {
    counts.generic++;
    const creds = basic(req, true);
    if (!creds || clients[creds[0]]?.secret !== creds[1]) {
      res.setHeader('www-authenticate', 'Basic');
      return send(res, 401, { error: 'invalid_client' });
    }
    return send(res, 200, {
      token_type: 'Bearer',
      expires_in: 3600,
      access_token: `generic-${counts.generic}`,
    });
  }
  if (path === '/slow/token') {
    setTimeout(() => send(res, 200, { access_token: 'too-late', expires_in: 60 }), 1_000);
    return;
  }
  if (path === '/huge/token') {
    counts.huge++;
    res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no content-length
    for (let i = 0; i < 64; i++) res.write('x'.repeat(4096));
    return res.end();
  }
  send(res, 404, { error: 'not_found' });
}

let base = '';
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk: Buffer) => {
    raw += chunk.toString('utf8');
  });
  req.on('end', () => void handle(req, res, new URLSearchParams(raw)));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('against vendor-like token endpoints on loopback', () => {
  it('Cognito-style: Basic plus client_id in the body, expires_in as a string (24 h)', async () => {
    const before = counts.cognito;
    const started = Date.now();
    const tokens = createTokenProvider({
      tokenUrl: `${base}/cognito/oauth2/token`,
      clientId: 'fenris-client',
      clientSecret: 'fenris-secret',
      clientIdInBody: true,
    });
    const token = await tokens.getToken();
    expect(token.accessToken).toMatch(/^cognito-/);
    expect(token.expiresAt - started).toBeGreaterThanOrEqual(86_400_000 - 5_000);
    expect(token.expiresAt - started).toBeLessThanOrEqual(86_400_000 + 5_000);
    expect((await tokens.getToken()).accessToken).toBe(token.accessToken);
    expect(counts.cognito - before).toBe(1);
  });

  it('Cognito-style without clientIdInBody is refused, and the refusal is not retried', async () => {
    const before = counts.cognito;
    const tokens = createTokenProvider({
      tokenUrl: `${base}/cognito/oauth2/token`,
      clientId: 'fenris-client',
      clientSecret: 'fenris-secret',
    });
    await expect(tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.OAUTH,
      error: 'invalid_client',
      status: 401,
    });
    expect(counts.cognito - before).toBe(1);
  });

  it('tenant-style: credentials in the body, one token per tenant scope', async () => {
    const before = counts.tenant;
    const acme = createTokenProvider({
      tokenUrl: `${base}/tenant/token`,
      clientId: 'fenergo-client',
      clientSecret: 'fenergo/secret+1',
      clientAuth: 'client_secret_post',
      scope: 'tenant/acme',
    });
    const globex = acme.forScope('tenant/globex');
    const [a, g] = await Promise.all([acme.getToken(), globex.getToken()]);
    expect(a.scope).toBe('tenant/acme');
    expect(g.scope).toBe('tenant/globex');
    expect(a.accessToken).not.toBe(g.accessToken);
    expect((await acme.forScope(['tenant/globex']).getToken()).accessToken).toBe(g.accessToken);
    expect(counts.tenant - before).toBe(2);

    const unknown = acme.forScope('tenant/initech');
    const error = await unknown.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      error: 'invalid_scope',
      status: 400,
      error_description: 'unknown tenant',
    });
  });

  it("tenant-style with clientAuth 'auto': finds post once and remembers it", async () => {
    methodsSeen.length = 0;
    const tokens = createTokenProvider({
      tokenUrl: `${base}/tenant/token`,
      clientId: 'fenergo-client',
      clientSecret: 'fenergo/secret+1',
      clientAuth: 'auto',
      scope: 'tenant/acme',
    });
    await tokens.getToken();
    await tokens.forScope('tenant/globex').getToken();
    // '/' and '+' change under form-encoding, so raw Basic is tried between the two.
    expect(methodsSeen).toEqual(['basic', 'basic', 'post', 'post']);
  });

  it('generic: a self-chosen client id with ":", space and "+" survives RFC 6749 encoding', async () => {
    const before = counts.generic;
    const tokens = createTokenProvider({
      tokenUrl: `${base}/generic/oauth/v2/token`,
      clientId: 'my:client id+1',
      clientSecret: 's3cr%t:&=+/ü',
    });
    const all = await Promise.all(Array.from({ length: 200 }, () => tokens.getToken()));
    expect(new Set(all.map((t) => t.accessToken)).size).toBe(1);
    expect(counts.generic - before).toBe(1);
  });

  it('generic: wrong credentials give a typed invalid_client error and one request', async () => {
    const before = counts.generic;
    const tokens = createTokenProvider({
      tokenUrl: `${base}/generic/oauth/v2/token`,
      clientId: 'my:client id+1',
      clientSecret: 'wrong-secret',
    });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => tokens.getToken()));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({
      code: ErrorCode.OAUTH,
      error: 'invalid_client',
    });
    expect(counts.generic - before).toBe(1);
  });

  it('a chunked body larger than maxResponseBytes is cut off with a typed error', async () => {
    const tokens = createTokenProvider({
      tokenUrl: `${base}/huge/token`,
      clientId: 'fenris-client',
      clientSecret: 'fenris-secret',
      maxResponseBytes: 16_384,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.RESPONSE_TOO_LARGE,
      status: 200,
    });
  });

  it('a token endpoint slower than timeoutMs gives M2M_TIMEOUT', async () => {
    const tokens = createTokenProvider({
      tokenUrl: `${base}/slow/token`,
      clientId: 'c',
      clientSecret: 'slow-secret',
      timeoutMs: 50,
      retry: { maxAttempts: 1 },
    });
    await expect(tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.TIMEOUT,
      name: 'TokenTimeoutError',
    });
  });

  it('an unreachable endpoint gives a network error after the configured attempts', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const retried: number[] = [];
    const tokens = createTokenProvider({
      tokenUrl: `http://127.0.0.1:${port}/token`,
      clientId: 'c',
      clientSecret: 'unreachable-secret',
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      onEvent: (e) => e.type === 'token_request_retried' && retried.push(e.attempt),
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.NETWORK, name: 'TokenNetworkError' });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(retried).toEqual([1]);
  });
});
