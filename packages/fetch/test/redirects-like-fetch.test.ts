import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenProvider } from '@m2m-auth/core';
import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchAuth } from '../src/index.ts';

// The redirects fetchAuth follows itself, side by side with the same calls through Node's
// fetch following them: the same hops, methods, bodies and headers at the servers, and the
// same status, url and `redirected` for the caller; only our token differs.
interface Seen {
  origin: string;
  method: string;
  path: string;
  bodyLength: number;
  headers: Record<string, string | string[] | undefined>;
  /** An `Authorization` came: ours, since the caller sets none. */
  token: boolean;
}
const RECORDED = ['cookie', 'proxy-authorization', 'content-type', 'content-language', 'x-keep'];

let auth: AuthServer;
const seen: Seen[] = [];
const origins: string[] = [];
const listening: Server[] = [];

/** An origin that records each request and redirects `/r?status=&to=`. */
async function startOrigin(): Promise<string> {
  const server = createServer((req: IncomingMessage, res) => {
    let bodyLength = 0;
    req.on('data', (chunk: Buffer) => {
      bodyLength += chunk.length;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const headers = Object.fromEntries(RECORDED.map((name) => [name, req.headers[name]]));
      const token = req.headers.authorization !== undefined;
      const { pathname: path } = url;
      seen.push({
        origin: origin(server),
        method: req.method ?? '',
        path,
        bodyLength,
        headers,
        token,
      });
      const to = url.searchParams.get('to');
      if (url.pathname === '/r' && to) {
        res.writeHead(Number(url.searchParams.get('status')), { location: to });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('landed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  listening.push(server);
  return origin(server);
}
const origin = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  auth = await startAuthServer();
  origins.push(await startOrigin(), await startOrigin());
});
afterAll(async () => {
  await auth.close();
  await Promise.all(listening.map((s) => new Promise((resolve) => s.close(resolve))));
});
beforeEach(() => {
  seen.length = 0;
});

function authedFetch() {
  const tokens = createTokenProvider({
    tokenUrl: auth.tokenUrl('generic'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
  });
  return fetchAuth(tokens, { origins: [origins[0] as string] });
}

/** What the servers saw and the caller got, with the token told apart. */
async function outcome(call: () => Promise<Response>) {
  seen.length = 0;
  const response = await call();
  const { status, url, redirected } = response;
  const body = await response.text();
  const hops = seen.map(({ token: _, ...hop }) => hop);
  return { caller: { status, url, redirected, body }, hops, tokens: seen.map((hop) => hop.token) };
}

describe('fetchAuth follows redirects as fetch does', () => {
  const cases: Array<[number, string, 'same' | 'other']> = [];
  for (const status of [301, 302, 303, 307, 308]) {
    for (const method of ['GET', 'POST', 'PUT', 'HEAD']) {
      for (const where of ['same', 'other'] as const) cases.push([status, method, where]);
    }
  }

  it.each(cases)('%i after %s to the %s origin', async (status, method, where) => {
    const [home, away] = origins as [string, string];
    const target = `${where === 'same' ? home : away}/landing`;
    const start = `${home}/r?status=${status}&to=${encodeURIComponent(`${home}/r?status=${status}&to=${encodeURIComponent(target)}`)}`;
    const init = (): RequestInit => ({
      method,
      headers: {
        cookie: 'session=1',
        'proxy-authorization': 'Basic cHJveHk6cHc=',
        'content-type': 'text/plain',
        'content-language': 'en',
        'x-keep': 'kept',
      },
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: 'b'.repeat(100) }),
    });
    const plain = await outcome(() => fetch(start, init()));
    const ours = authedFetch();
    const viaUrl = await outcome(() => ours(start, init()));
    const viaRequest = await outcome(() => ours(new Request(start, init())));
    expect(viaUrl.caller).toEqual(plain.caller);
    expect(viaUrl.hops).toEqual(plain.hops);
    expect(viaRequest.caller).toEqual(plain.caller);
    expect(viaRequest.hops).toEqual(plain.hops);
    // Our token on our origin only: both hops there, and never after leaving it.
    const expected = where === 'same' ? [true, true, true] : [true, true, false];
    expect(viaUrl.tokens).toEqual(expected);
    expect(viaRequest.tokens).toEqual(expected);
  });
});
