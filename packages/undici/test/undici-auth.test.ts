/**
 * undiciAuth's own behaviour on each undici of the peer range (6.13.0, 7, 8), through an
 * Agent composed with it: the four client APIs, the handler API it speaks below, each body
 * form, headers in each form, errors, a held 401, aborts, redirects and Clients.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isM2MAuthError } from '@m2m-auth/core';
import { profileProvider } from '@m2m-auth/test-utils';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import * as undici8 from 'undici';
import * as undici7 from 'undici-7';
import * as undici6 from 'undici-oldest';
import { describe, expect, it } from 'vitest';
import { undiciAuth } from '../src/index.ts';
import { agentOf, auth, type UndiciModule } from './clients.ts';

const versions: Array<[string, UndiciModule]> = [
  ['undici 6.13.0', undici6 as unknown as UndiciModule],
  ['undici 7', undici7 as unknown as UndiciModule],
  ['undici 8', undici8],
];

describe.each(versions)('undiciAuth on %s', (_label, undici) => {
  const servers = useTestServers();
  const setup = (options: { origins?: string[]; maxReplayBodyBytes?: number } = {}) => {
    const provider = profileProvider(servers.auth, 'generic');
    const dispatcher = agentOf(undici).compose(
      auth(provider, { origins: [servers.api.url], ...options }),
    );
    const send = (path: string, init: Partial<undici8.Dispatcher.RequestOptions> = {}) =>
      undici.request(`${servers.api.url}${path}`, { dispatcher, ...init } as never);
    return { provider, dispatcher, send };
  };
  const warmThenRevoke = async (send: ReturnType<typeof setup>['send']) => {
    expect((await (await send('/echo/warm')).body.text()).length).toBeGreaterThan(0);
    servers.auth.control.revokeAll();
    servers.api.reset();
    servers.auth.stats.reset();
  };
  const attempts = (path: string) =>
    servers.api.requests.filter((r) => r.path === path).map((r) => [r.status, r.bodyLength]);

  it("with origins '*', refuses a plain-http origin with a ConfigError before anything is sent, as every adapter does", async () => {
    const provider = profileProvider(servers.auth, 'generic');
    let below = 0;
    const dispatcher = agentOf(undici).compose(
      ((dispatch: (o: unknown, h: unknown) => boolean) => (o: unknown, h: unknown) => {
        below++;
        return dispatch(o, h);
      }) as never,
      auth(provider, { origins: '*' }),
    );
    const error = await undici
      .request('http://api.plain.example/x', { dispatcher } as never)
      .catch((e: unknown) => e);
    expect(isM2MAuthError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/Refusing to send a token to http:\/\/api\.plain\.example/),
    });
    expect(below).toBe(0);
    expect(servers.auth.stats.total).toBe(0);
  });

  it('is an interceptor compose() takes: (dispatch) => a function of exactly two parameters', () => {
    const interceptor = undiciAuth(profileProvider(servers.auth, 'generic'), {
      origins: [servers.api.url],
    });
    expect(interceptor(() => true).length).toBe(2);
    expect(() =>
      agentOf(undici).compose(auth(profileProvider(servers.auth, 'generic'), { origins: '*' })),
    ).not.toThrow();
  });

  it('speaks below the handler API it was called with: old-style on undici 6, the new one on 7 and 8', async () => {
    const seen: string[] = [];
    const probe = (dispatch: undici8.Dispatcher.Dispatch) => (opts: never, handler: object) => {
      seen.push('onRequestStart' in handler ? 'new' : 'onConnect' in handler ? 'old' : '?');
      return dispatch(opts, handler as never);
    };
    const provider = profileProvider(servers.auth, 'generic');
    const dispatcher = agentOf(undici).compose(
      probe,
      auth(provider, { origins: [servers.api.url] }),
    );
    const response = await undici.request(`${servers.api.url}/echo/api`, { dispatcher });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    expect(seen).toEqual([undici === versions[0]?.[1] ? 'old' : 'new']);
  });

  // undici 8's dispatchers take the new handler API only, so this is for 6 and 7.
  const takesOldHandlers = undici !== versions[2]?.[1];
  if (takesOldHandlers)
    it('an old-style handler dispatched straight into the chain gets the token, and its 401 is replayed once', async () => {
      const { dispatcher, send } = setup();
      await warmThenRevoke(send);
      const { origin, pathname } = new URL(`${servers.api.url}/echo/legacy`);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        let status = 0;
        const chunks: Buffer[] = [];
        dispatcher.dispatch(
          { origin, path: pathname, method: 'GET', headers: {} } as never,
          {
            onConnect() {},
            onHeaders(statusCode: number) {
              status = statusCode;
              return true;
            },
            onData(chunk: Buffer) {
              chunks.push(chunk);
              return true;
            },
            onComplete() {
              resolve({ status, body: Buffer.concat(chunks).toString() });
            },
            onError: reject,
          } as never,
        );
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ path: '/echo/legacy' });
      expect(attempts('/echo/legacy')).toEqual([
        [401, 0],
        [200, 0],
      ]);
      expect(servers.auth.stats.total).toBe(1);
    });

  it('with a cached token, hands the request on before dispatch returns, as undici alone does', async () => {
    let below = 0;
    const probe = (dispatch: undici8.Dispatcher.Dispatch) => (opts: never, handler: object) => {
      below++;
      return dispatch(opts, handler as never);
    };
    const provider = profileProvider(servers.auth, 'generic');
    const dispatcher = agentOf(undici).compose(
      probe,
      auth(provider, { origins: [servers.api.url] }),
    );
    const send = () => undici.request(`${servers.api.url}/echo/api`, { dispatcher });
    const cold = send();
    expect(below).toBe(0); // waits for the token
    await (await cold).body.text();
    const warm = send();
    expect(below).toBe(2);
    const response = await warm;
    expect(response.statusCode).toBe(200);
    await response.body.text();
  });

  it('request(), stream(), pipeline() and fetch() carry the token, and a revoked one is replaced once', async () => {
    const { dispatcher, send } = setup();
    const seen: Array<[string, number[][]]> = [];
    const revoked = async () => {
      const last = servers.api.requests.at(-1)?.path;
      if (last) seen.push([last, attempts(last)]);
      await warmThenRevoke(send);
    };
    await revoked();
    const viaRequest = await send('/echo/request', {
      method: 'PUT',
      body: Buffer.from('put body'),
    });
    expect(viaRequest.statusCode).toBe(200);
    await viaRequest.body.text();

    await revoked();
    const chunks: Buffer[] = [];
    await undici.stream(
      `${servers.api.url}/echo/stream`,
      { dispatcher, method: 'POST', body: 'stream body' },
      () =>
        new Writable({
          write(chunk, _encoding, done) {
            chunks.push(chunk);
            done();
          },
        }),
    );
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ path: '/echo/stream' });

    await revoked();
    const fetched = await undici.fetch(`${servers.api.url}/echo/fetch`, {
      dispatcher,
      method: 'POST',
      body: 'fetch body',
    } as never);
    expect(fetched.status).toBe(200);
    await fetched.text();

    // pipeline() sends what is written to it: a stream, sent once, so its 401 comes back.
    await revoked();
    let status = 0;
    let piped = '';
    await pipeline(
      Readable.from(['pipeline body']),
      undici.pipeline(
        `${servers.api.url}/echo/pipeline`,
        { dispatcher, method: 'POST' },
        ({ statusCode, body }) => {
          status = statusCode;
          return body;
        },
      ),
      new Writable({
        write(chunk, _encoding, done) {
          piped += chunk;
          done();
        },
      }),
    );
    expect([status, JSON.parse(piped).error]).toEqual([401, 'invalid_token']);
    await revoked();

    expect(seen).toEqual([
      [
        '/echo/request',
        [
          [401, 8],
          [200, 8],
        ],
      ],
      [
        '/echo/stream',
        [
          [401, 11],
          [200, 11],
        ],
      ],
      [
        '/echo/fetch',
        [
          [401, 10],
          [200, 10],
        ],
      ],
      ['/echo/pipeline', [[401, 13]]],
    ]);
  });

  it.each([
    ['a Buffer', () => Buffer.from('buffer body')],
    ['a Uint8Array', () => new TextEncoder().encode('uint8 body')],
    [
      'an async generator',
      () =>
        (async function* () {
          yield 'async ';
          yield 'generator';
        })(),
    ],
    ['a web ReadableStream', () => Readable.toWeb(Readable.from(['web ', 'stream']))],
  ])('replays %s body whole after a 401', async (_kind, body) => {
    const { send } = setup();
    await warmThenRevoke(send);
    const response = await send('/echo/body', { method: 'POST', body: body() as never });
    expect(response.statusCode).toBe(200);
    const echoed = JSON.parse(await response.body.text());
    const [first, second] = servers.api.requests;
    expect([first?.status, second?.status]).toEqual([401, 200]);
    expect(second?.bodyLength).toBe(first?.bodyLength);
    expect(echoed.bodyLength).toBe(first?.bodyLength);
  });

  it('sends a Node stream once: its 401 comes back whole and refreshes nothing; the next call refreshes and is replayed', async () => {
    const { send } = setup();
    await warmThenRevoke(send);
    const response = await send('/echo/node-stream', {
      method: 'POST',
      body: Readable.from([Buffer.from('node '), Buffer.from('stream')]),
    });
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(await response.body.text())).toMatchObject({ error: 'invalid_token' });
    expect(attempts('/echo/node-stream')).toEqual([[401, 11]]);
    expect(servers.auth.stats.total).toBe(0);
    expect((await send('/echo/next')).statusCode).toBe(200);
    expect(attempts('/echo/next')).toEqual([
      [401, 0],
      [200, 0],
    ]);
    expect(servers.auth.stats.total).toBe(1);
  });

  it('keeps no more than maxReplayBodyBytes of a streamed body: past it, the 401 comes back, never a truncated replay', async () => {
    const { send } = setup({ maxReplayBodyBytes: 10 });
    await warmThenRevoke(send);
    const response = await send('/echo/long', {
      method: 'POST',
      body: (async function* () {
        yield 'more than ';
        yield 'ten bytes';
      })() as never,
    });
    expect(response.statusCode).toBe(401);
    await response.body.text();
    expect(attempts('/echo/long')).toEqual([[401, 19]]);
  });

  it("reads and writes headers in every form undici takes, and never changes the caller's", async () => {
    const { send } = setup();
    const record = { 'x-a': '1', Authorization: 'Basic theirs' };
    const theirs = await send('/echo/theirs', { headers: record });
    expect(theirs.statusCode).toBe(401); // their Authorization is theirs: left alone
    await theirs.body.text();
    expect(record).toEqual({ 'x-a': '1', Authorization: 'Basic theirs' });
    const flat = ['x-a', '1', 'x-b', '2'];
    const forms: unknown[] = [
      flat,
      [
        ['x-a', '1'],
        ['x-b', '2'],
      ],
      new Map([['x-a', '1']]),
      { 'x-a': '1' },
    ];
    for (const headers of forms) {
      const response = await send('/echo/forms', { headers: headers as never });
      expect(response.statusCode).toBe(200);
      await response.body.text();
    }
    expect(flat).toEqual(['x-a', '1', 'x-b', '2']);
    expect(servers.api.requests.map((r) => r.authorization?.split(' ')[0])).toEqual([
      'Basic',
      'Bearer',
      'Bearer',
      'Bearer',
      'Bearer',
    ]);
    expect(servers.api.requests.filter((r) => r.path === '/echo/forms')).toHaveLength(4);
  });

  it('passes a 403 through untouched, and other origins get nothing', async () => {
    const { send, dispatcher } = setup();
    const forbidden = await send('/forbidden');
    expect(forbidden.statusCode).toBe(403);
    await forbidden.body.text();
    const other = await undici.request(`${servers.other.url}/elsewhere`, { dispatcher });
    await other.body.text();
    expect(servers.other.received.map((r) => r.authorization)).toEqual([undefined]);
    expect(servers.api.requests.map((r) => r.status)).toEqual([403]);
    expect(servers.auth.stats.total).toBe(1);
  });

  it('judges each request by its own origin and path: the same path on two origins in turn', async () => {
    const { send, dispatcher } = setup();
    const path = '/echo/same';
    for (let round = 0; round < 2; round++) {
      await (await send(path)).body.text();
      await (await undici.request(`${servers.other.url}${path}`, { dispatcher })).body.text();
    }
    await (await send('/echo/next')).body.text();
    expect(servers.other.received.map((r) => r.authorization)).toEqual([undefined, undefined]);
    const sent = servers.api.requests.map((r) => [r.path, r.status]);
    expect(sent).toEqual([
      [path, 200],
      [path, 200],
      ['/echo/next', 200],
    ]);
  });

  it('hands token errors on as core typed errors: request() rejects with it, fetch() with it as cause', async () => {
    const provider = profileProvider(servers.auth, 'generic', { clientSecret: 'wrong-secret' });
    const dispatcher = agentOf(undici).compose(auth(provider, { origins: [servers.api.url] }));
    const refused = await undici
      .request(`${servers.api.url}/echo/x`, { dispatcher })
      .catch((error: unknown) => error);
    expect(isM2MAuthError(refused) && refused.code).toBe('M2M_OAUTH_ERROR');
    const fetched = await undici
      .fetch(`${servers.api.url}/echo/x`, { dispatcher } as never)
      .catch((error: { cause?: unknown }) => error.cause);
    expect(isM2MAuthError(fetched) && fetched.code).toBe('M2M_OAUTH_ERROR');
    expect(servers.api.counters.total).toBe(0);
  });

  it("hands on a refresh that fails after a 401 as core's typed error, with no replay", async () => {
    const provider = profileProvider(servers.auth, 'generic', { retry: { maxAttempts: 1 } });
    const dispatcher = agentOf(undici).compose(auth(provider, { origins: [servers.api.url] }));
    const send = (path: string) => undici.request(`${servers.api.url}${path}`, { dispatcher });
    await warmThenRevoke(send);
    servers.auth.control.inject({ type: 'status', status: 500 });
    const error = await send('/echo/refresh-fails').catch((e: unknown) => e);
    expect(isM2MAuthError(error) && error.code).toBe('M2M_OAUTH_ERROR');
    expect(error).toMatchObject({ error: 'server_error', status: 500 });
    expect(attempts('/echo/refresh-fails')).toEqual([[401, 0]]);
  });

  it('masks our token in an error from below before the caller sees it', async () => {
    const provider = profileProvider(servers.auth, 'generic');
    const failing =
      () =>
      (
        opts: { headers: unknown },
        handler: { onResponseError?: (c: null, e: Error) => void; onError?: (e: Error) => void },
      ) => {
        const error = Object.assign(new Error('refused'), { sent: opts.headers });
        queueMicrotask(() =>
          handler.onResponseError ? handler.onResponseError(null, error) : handler.onError?.(error),
        );
        return true;
      };
    const dispatcher = agentOf(undici).compose(
      failing as never,
      auth(provider, { origins: [servers.api.url] }),
    );
    const error = (await undici
      .request(`${servers.api.url}/echo/x`, { dispatcher })
      .catch((e: unknown) => e)) as { sent: Record<string, string> };
    const { accessToken } = await provider.getToken();
    expect(error.sent['authorization']).toBe('Bearer [redacted]');
    expect(JSON.stringify(error)).not.toContain(accessToken);
  });

  it('holds a 401 only up to 64 KiB of body: a longer one comes back as it is', async () => {
    const big = 'x'.repeat(100 * 1024);
    let calls = 0;
    const server = createServer((_req, res) => {
      calls++;
      res.writeHead(401, { 'content-type': 'text/plain' }).end(big);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const provider = profileProvider(servers.auth, 'generic');
      const dispatcher = agentOf(undici).compose(auth(provider, { origins: [url] }));
      const response = await undici.request(`${url}/big`, { dispatcher });
      expect(response.statusCode).toBe(401);
      expect((await response.body.text()).length).toBe(big.length);
      expect(calls).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('lets the caller abort while the replay waits for its token: one rejection, no replay sent', async () => {
    const { send } = setup();
    await warmThenRevoke(send);
    servers.auth.control.inject({ type: 'delay', ms: 400 });
    const controller = new AbortController();
    const out = servers.auth.nextTokenRequest();
    const call = send('/echo/aborted', { signal: controller.signal }).then(
      () => 'resolved',
      () => 'rejected',
    );
    await out;
    controller.abort();
    expect(await call).toBe('rejected');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(attempts('/echo/aborted')).toEqual([[401, 0]]);
  });

  it('a redirect to another origin carries no token, even one in origins (redirect interceptor outside)', async () => {
    const provider = profileProvider(servers.auth, 'generic');
    const dispatcher = agentOf(undici).compose(
      auth(provider, { origins: [servers.api.url, servers.other.url] }),
      undici.interceptors.redirect({ maxRedirections: 3 }),
    );
    const to = encodeURIComponent(`${servers.other.url}/hop`);
    const response = await undici.request(`${servers.api.url}/redirect?to=${to}`, { dispatcher });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    expect(servers.api.requests[0]?.authorization).toMatch(/^Bearer /);
    expect(servers.other.received).toEqual([
      { method: 'GET', path: '/hop', authorization: undefined },
    ]);
    // A direct request there does get one: it is in origins.
    await (await undici.request(`${servers.other.url}/direct`, { dispatcher })).body.text();
    expect(servers.other.received[1]?.authorization).toMatch(/^Bearer /);
  });

  it('a same-origin redirect hop gets the current token (redirect interceptor outside)', async () => {
    const { provider } = setup();
    const dispatcher = agentOf(undici).compose(
      auth(provider, { origins: [servers.api.url] }),
      undici.interceptors.redirect({ maxRedirections: 3 }),
    );
    const response = await undici.request(`${servers.api.url}/redirect?to=/echo/landed`, {
      dispatcher,
    });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(await response.body.text())).toMatchObject({ path: '/echo/landed' });
  });

  it('a 401 from another origin after a redirect inside undiciAuth refreshes nothing', async () => {
    const provider = profileProvider(servers.auth, 'generic');
    const dispatcher = agentOf(undici).compose(
      undici.interceptors.redirect({ maxRedirections: 3 }),
      auth(provider, { origins: [servers.api.url] }),
    );
    const elsewhere = servers.api.url.replace('127.0.0.1', 'localhost');
    const to = encodeURIComponent(`${elsewhere}/always-401`);
    const response = await undici.request(`${servers.api.url}/redirect?to=${to}`, { dispatcher });
    expect(response.statusCode).toBe(401);
    await response.body.text();
    expect(servers.api.requests.map((r) => [r.path, Boolean(r.authorization)])).toEqual([
      ['/redirect', true],
      ['/always-401', false], // undici's redirect handler took Authorization off
    ]);
    expect(servers.auth.stats.total).toBe(1);
  });

  it('a Client or Pool: undici 8 shows the interceptor its origin, 6 and 7 do not (no token, the request goes as it is)', async () => {
    const provider = profileProvider(servers.auth, 'generic');
    const client = new undici.Client(servers.api.url);
    try {
      const composed = client.compose(auth(provider, { origins: [servers.api.url] }));
      const response = await composed.request({ path: '/echo/client', method: 'GET' });
      await response.body.text();
      expect(response.statusCode).toBe(undici === versions[2]?.[1] ? 200 : 401);
    } finally {
      await client.close();
    }
  });
});
