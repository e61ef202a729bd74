/**
 * grpcAuth against a real grpc-js server in this process that checks every token with the
 * test-utils authorization server. Runs on the newest grpc-js of the peer range (project
 * `grpc`) and on the oldest (project `grpc-oldest`, where `@grpc/grpc-js` is 1.10.0).
 */
import { ConfigError, createTokenProvider, isM2MAuthError, OAuthError } from '@m2m-auth/core';
import { grpcAuth } from '@m2m-auth/grpc';
import { type AuthServer, asLogged, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedCopy, grpc, grpcVersion, resolvedTo } from './support/grpc-version.ts';
import {
  collect,
  startThingsServer,
  type ThingsClient,
  type ThingsServer,
  unary,
} from './support/things-server.ts';

let auth: AuthServer;
let server: ThingsServer;
const clients: ThingsClient[] = [];

beforeAll(async () => {
  auth = await startAuthServer();
  server = await startThingsServer(grpc, auth);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
  await auth.close();
});
beforeEach(() => {
  auth.stats.reset();
  server.calls.length = 0;
  server.requireDpopNonce(undefined);
});

const provider = (clientSecret = 'demo-secret') =>
  createTokenProvider({
    tokenUrl: auth.tokenUrl('generic'),
    clientId: 'demo-client',
    clientSecret,
  });

const dpopProvider = () =>
  createTokenProvider({
    tokenUrl: auth.tokenUrl('dpop'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    dpop: true,
  });

function client(interceptor: grpc.Interceptor, address = server.address): ThingsClient {
  const made = new server.Client(address, grpc.credentials.createInsecure(), {
    interceptors: [interceptor],
  });
  clients.push(made);
  return made;
}

const get = (
  c: ThingsClient,
  request: unknown = { id: 1 },
  metadata = new grpc.Metadata(),
  options = {},
) => unary(c.get, c, request, metadata, options);
const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
};
/** One call, then revoke-all, with the records cleared: the cached token is now refused. */
let revokedToken: string | undefined;
async function revokedAfterOneCall(c: ThingsClient) {
  await get(c);
  revokedToken = server.calls[0]?.authorization?.slice('Bearer '.length);
  auth.control.revokeAll();
  server.calls.length = 0;
  auth.stats.reset();
}
const codes = (method?: string) =>
  server.calls.filter((call) => !method || call.method === method).map((call) => call.code);

describe(`grpcAuth on grpc-js ${grpcVersion}`, () => {
  it(`runs on ${expectedCopy}`, () => {
    expect(resolvedTo).toBe(expectedCopy);
  });

  it('a unary call carries authorization: Bearer <token>, which the server accepts', async () => {
    const tokens = provider();
    const answer = await get(client(grpcAuth(tokens)), { id: 7 });
    const { accessToken } = await tokens.getToken();
    expect(answer).toMatchObject({ echo: { id: 7 }, sub: 'demo-client' });
    expect(server.calls).toEqual([
      expect.objectContaining({ method: 'Get', authorization: `Bearer ${accessToken}`, code: 0 }),
    ]);
    expect(auth.stats.total).toBe(1);
  });

  it('a server-streaming call carries the token and gets every message', async () => {
    const c = client(grpcAuth(provider()));
    const messages = await collect(c.list({}, new grpc.Metadata()));
    expect(messages).toHaveLength(3);
    expect(codes('List')).toEqual([0]);
    expect(auth.stats.total).toBe(1);
  });

  it('a client-streaming call carries the token and the server gets every message', async () => {
    const c = client(grpcAuth(provider()));
    const answer = await new Promise((resolve, reject) => {
      const call = c.upload(new grpc.Metadata(), {}, (error, response) =>
        error ? reject(error) : resolve(response),
      );
      for (let i = 0; i < 3; i++) call.write({ i });
      call.end();
    });
    expect(answer).toMatchObject({ count: 3 });
    expect(codes('Upload')).toEqual([0]);
    expect(server.calls[0]?.authorization).toMatch(/^Bearer /);
    expect(auth.stats.total).toBe(1);
  });

  it('a bidirectional call carries the token and each message is answered', async () => {
    const c = client(grpcAuth(provider()));
    const call = c.chat(new grpc.Metadata());
    const answers = collect(call);
    for (let i = 0; i < 3; i++) call.write({ i });
    call.end();
    expect(await answers).toMatchObject([
      { echo: { i: 0 } },
      { echo: { i: 1 } },
      { echo: { i: 2 } },
    ]);
    expect(codes('Chat')).toEqual([0]);
    expect(auth.stats.total).toBe(1);
  });

  it('100 concurrent cold calls make one token request', async () => {
    const c = client(grpcAuth(provider()));
    const answers = await Promise.all(Array.from({ length: 100 }, (_, id) => get(c, { id })));
    expect(answers).toHaveLength(100);
    expect(auth.stats.total).toBe(1);
    expect(codes()).toEqual(Array(100).fill(0));
  });

  it('after revoke-all, a unary call makes one token request and is retried once', async () => {
    const c = client(grpcAuth(provider()));
    await revokedAfterOneCall(c);
    const first = { authorization: `Bearer ${revokedToken}` };
    expect(await get(c, { id: 2 })).toMatchObject({ echo: { id: 2 } });
    expect(auth.stats.total).toBe(1);
    expect(codes()).toEqual([16, 0]);
    const [refused, replayed] = server.calls;
    expect(refused?.authorization).toBe(first?.authorization);
    expect(replayed?.authorization).not.toBe(first?.authorization);
  });

  it('after revoke-all, 100 concurrent unary calls make one token request, each tried at most twice', async () => {
    const c = client(grpcAuth(provider()));
    await revokedAfterOneCall(c);
    await Promise.all(Array.from({ length: 100 }, (_, id) => get(c, { id })));
    expect(auth.stats.total).toBe(1);
    expect(codes().filter((code) => code === 16)).toHaveLength(100);
    expect(codes().filter((code) => code === 0)).toHaveLength(100);
  });

  it('a second UNAUTHENTICATED goes back to the caller, with our token masked in details and trailers', async () => {
    const tokens = provider();
    const c = client(grpcAuth(tokens));
    const error = await failure(unary(c.echo401, c, {}, new grpc.Metadata()));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(codes('Echo401')).toEqual([16, 16]);
    expect(auth.stats.total).toBe(2);
    const sent = server.calls.map((call) => call.authorization?.slice('Bearer '.length) ?? '');
    expect(error.details).toBe('refused Bearer [redacted]');
    expect(error.metadata.get('x-echo-authorization')).toEqual(['Bearer [redacted]']);
    for (const token of sent) expect(asLogged(error)).not.toContain(token);
  });

  it('PERMISSION_DENIED comes back untouched: no refresh, no retry', async () => {
    const c = client(grpcAuth(provider()));
    const error = await failure(unary(c.forbidden, c, {}, new grpc.Metadata()));
    expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.details).toBe('the token lacks the scope this method needs');
    expect(codes()).toEqual([7]);
    expect(auth.stats.total).toBe(1);
  });

  it('client-streaming and bidirectional calls refused with UNAUTHENTICATED are not replayed', async () => {
    const c = client(grpcAuth(provider()));
    await revokedAfterOneCall(c);
    const uploaded = failure(
      new Promise((resolve, reject) => {
        const call = c.upload(new grpc.Metadata(), {}, (error, response) =>
          error ? reject(error) : resolve(response),
        );
        call.write({ i: 0 });
        call.end();
      }),
    );
    expect((await uploaded).code).toBe(grpc.status.UNAUTHENTICATED);
    const chat = c.chat(new grpc.Metadata());
    const chatted = failure(collect(chat));
    chat.write({ i: 0 });
    chat.end();
    expect((await chatted).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(codes()).toEqual([16, 16]);
    expect(auth.stats.total).toBe(0);
  });

  it('a streaming call refused with UNAUTHENTICATED is not replayed', async () => {
    const c = client(grpcAuth(provider()));
    await revokedAfterOneCall(c);
    const error = await failure(collect(c.list({}, new grpc.Metadata())));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(codes()).toEqual([16]);
    expect(auth.stats.total).toBe(0);
    // The next unary call refreshes and replays as usual.
    await get(c);
    expect(codes()).toEqual([16, 16, 0]);
    expect(auth.stats.total).toBe(1);
  });

  it("the caller's own authorization metadata is left alone", async () => {
    const c = client(grpcAuth(provider()));
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer theirs');
    const error = await failure(get(c, {}, metadata));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(server.calls).toEqual([expect.objectContaining({ authorization: 'Bearer theirs' })]);
    expect(codes()).toEqual([16]);
    expect(auth.stats.total).toBe(0);
    expect(metadata.get('authorization')).toEqual(['Bearer theirs']);
  });

  it('a token of ours left in reused metadata is replaced by the current one', async () => {
    const tokens = provider();
    const c = client(grpcAuth(tokens));
    await get(c);
    const stale = server.calls[0]?.authorization as string;
    auth.control.revokeAll();
    await tokens.invalidate(stale.slice('Bearer '.length));
    const metadata = new grpc.Metadata();
    metadata.set('authorization', stale);
    server.calls.length = 0;
    await get(c, {}, metadata);
    expect(codes()).toEqual([0]);
    expect(server.calls[0]?.authorization).not.toBe(stale);
  });

  it('the caller’s metadata never holds our token, and other entries in it arrive', async () => {
    const c = client(grpcAuth(provider()));
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'r-1');
    await get(c, {}, metadata);
    expect(metadata.getMap()).toEqual({ 'x-request-id': 'r-1' });
  });

  it('hosts: a call to a host not listed gets no token and no refresh', async () => {
    const c = client(grpcAuth(provider(), { hosts: ['api.vendor.example'] }));
    const error = await failure(get(c));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(server.calls).toEqual([expect.objectContaining({ authorization: undefined })]);
    expect(auth.stats.total).toBe(0);
  });

  it('hosts: a listed host gets the token', async () => {
    const c = client(grpcAuth(provider(), { hosts: ['127.0.0.1'] }));
    await get(c);
    expect(codes()).toEqual([0]);
  });

  it('hosts: one interceptor on clients for two hosts judges each call by its own host', async () => {
    const interceptor = grpcAuth(provider(), { hosts: ['127.0.0.1'] });
    const listed = client(interceptor, server.address);
    const other = client(interceptor, `localhost:${server.port}`);
    await get(listed);
    expect((await failure(get(other))).code).toBe(grpc.status.UNAUTHENTICATED);
    await get(listed);
    expect(server.calls.map((call) => call.authorization !== undefined)).toEqual([
      true,
      false,
      true,
    ]);
    expect(auth.stats.total).toBe(1);
  });

  it('without hosts, the interceptor serves the first host only: another fails before any token is sent', async () => {
    const interceptor = grpcAuth(provider());
    await get(client(interceptor, server.address));
    const other = client(interceptor, `localhost:${server.port}`);
    const error = await failure(get(other));
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.details).toMatch(/serves 127\.0\.0\.1 .*not localhost/);
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(ConfigError);
    expect(server.calls).toHaveLength(1);
  });

  it('hosts entries must be host names', () => {
    expect(() => grpcAuth(provider(), { hosts: ['https://api.vendor.example'] })).toThrow(
      ConfigError,
    );
    expect(() => grpcAuth(provider(), { hosts: ['api.vendor.example:443'] })).toThrow(ConfigError);
    expect(() => grpcAuth(provider(), { hosts: [] })).toThrow(ConfigError);
  });

  it('no token to be had: UNAVAILABLE with the typed error as cause, the call never sent, no secret in it', async () => {
    const c = client(grpcAuth(provider('wrong-secret')));
    const error = await failure(get(c));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.details).toMatch(/^m2m-auth: /);
    const cause = (error as { cause?: unknown }).cause;
    expect(isM2MAuthError(cause)).toBe(true);
    expect(cause).toBeInstanceOf(OAuthError);
    expect(server.calls).toHaveLength(0);
    expect(asLogged(error)).not.toContain('wrong-secret');
  });

  it('a deadline set by the caller is kept for the retry', async () => {
    const c = client(grpcAuth(provider()));
    await get(c);
    auth.control.revokeAll();
    server.calls.length = 0;
    const deadline = Date.now() + 10_000;
    await get(c, {}, new grpc.Metadata(), { deadline });
    expect(codes()).toEqual([16, 0]);
    // The server reads the deadline from grpc-timeout (rounded up to its unit): both
    // attempts end by the caller's deadline, not a fresh 10 s from the replay.
    const [refused, replayed] = server.calls.map((call) => call.deadline);
    for (const read of [refused, replayed]) {
      expect(read).toBeGreaterThan(Date.now());
      expect(read).toBeLessThanOrEqual(deadline + 5);
    }
    // Without one, the server reads none.
    server.calls.length = 0;
    await get(c);
    expect(server.calls[0]?.deadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('a call cancelled while its token is refreshed ends CANCELLED and is not made again', async () => {
    const c = client(grpcAuth(provider()));
    await revokedAfterOneCall(c);
    auth.control.inject({ type: 'delay', ms: 300 });
    const refreshing = auth.nextTokenRequest();
    const done = new Promise<grpc.ServiceError | null>((resolve) => {
      const call = c.get({}, new grpc.Metadata(), {}, (error) => resolve(error));
      void refreshing.then(() => call.cancel());
    });
    const error = await done;
    expect(error?.code).toBe(grpc.status.CANCELLED);
    await auth.idle();
    expect(codes()).toEqual([16]);
  });

  it('a DPoP-bound token goes as authorization: DPoP with a proof for POST https://<host>/<service>/<method>', async () => {
    const tokens = dpopProvider();
    const c = client(grpcAuth(tokens));
    await get(c);
    await get(c);
    const { accessToken } = await tokens.getToken();
    expect(server.calls.map((call) => call.code)).toEqual([0, 0]);
    expect(server.calls.map((call) => call.authorization)).toEqual(
      Array(2).fill(`DPoP ${accessToken}`),
    );
    const [first, second] = server.calls.map((call) => call.proof);
    expect(first).toMatchObject({ htm: 'POST', htu: 'https://127.0.0.1/test.Things/Get' });
    expect(second?.['jti']).not.toBe(first?.['jti']);
  });

  it('a DPoP nonce challenge in the trailers is answered: the same token again with a proof carrying the nonce, once', async () => {
    const tokens = dpopProvider();
    const c = client(grpcAuth(tokens));
    await get(c); // a token, and no nonce asked for yet
    server.requireDpopNonce('nonce-1');
    await get(c);
    await get(c); // the nonce is remembered: no challenge
    server.requireDpopNonce('nonce-2'); // the server rotates it
    await get(c);
    const { accessToken } = await tokens.getToken();
    expect(server.calls.map((call) => [call.code, call.challenged])).toEqual([
      [0, undefined],
      [16, 'nonce-1'],
      [0, undefined],
      [0, undefined],
      [16, 'nonce-2'],
      [0, undefined],
    ]);
    expect(server.calls.map((call) => call.proof?.['nonce'])).toEqual([
      undefined,
      undefined,
      'nonce-1',
      'nonce-1',
      'nonce-1',
      'nonce-2',
    ]);
    // Not a bad token: every call carried the same one, and only the first call asked for it.
    expect(new Set(server.calls.map((call) => call.authorization))).toEqual(
      new Set([`DPoP ${accessToken}`]),
    );
    expect(auth.stats.issued).toBe(1); // (the token endpoint's own nonce round is not a token)
  });

  it('a DPoP nonce challenge answered with another challenge comes back to the caller: one replay', async () => {
    const tokens = dpopProvider();
    const c = client(grpcAuth(tokens));
    await get(c);
    // Each challenge names a nonce the server has moved past by the time the replay comes.
    server.requireDpopNonce('moving', { everyCall: true });
    const error = await failure(get(c));
    expect(error).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(server.calls.map((call) => [call.code, call.challenged, call.proof?.['nonce']])).toEqual(
      [
        [0, undefined, undefined],
        [16, 'moving-0', undefined],
        [16, 'moving-1', 'moving-0'],
      ],
    );
    expect(auth.stats.issued).toBe(1); // (the token endpoint's own nonce round is not a token)
  });

  it('a streaming call refused for a DPoP nonce is not replayed, but the next call carries the nonce', async () => {
    const tokens = dpopProvider();
    const c = client(grpcAuth(tokens));
    server.requireDpopNonce('nonce-1');
    const error = await failure(collect(c.list({}, new grpc.Metadata())));
    expect(error).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await get(c);
    expect(server.calls.map((call) => [call.method, call.code, call.proof?.['nonce']])).toEqual([
      ['List', 16, undefined],
      ['Get', 0, 'nonce-1'],
    ]);
  });

  it('call credentials given on the call are the caller’s: the interceptor adds nothing', async () => {
    const c = client(grpcAuth(provider()));
    const theirs = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', 'Bearer from-their-credentials');
      callback(null, metadata);
    });
    await failure(get(c, {}, new grpc.Metadata(), { credentials: theirs }));
    expect(server.calls).toEqual([
      expect.objectContaining({ authorization: 'Bearer from-their-credentials' }),
    ]);
    expect(auth.stats.total).toBe(0);
  });
});

describe(`grpcAuth with what else a grpc-js channel runs (grpc-js ${grpcVersion})`, () => {
  // grpc-js' own retries, from the service config as users set them: UNAVAILABLE is retried.
  const retrying = {
    'grpc.service_config': JSON.stringify({
      methodConfig: [
        {
          name: [{ service: 'test.Things' }],
          retryPolicy: {
            maxAttempts: 3,
            initialBackoff: '0.01s',
            maxBackoff: '0.05s',
            backoffMultiplier: 2,
            retryableStatusCodes: ['UNAVAILABLE'],
          },
        },
      ],
    }),
  };
  const made = (interceptors: grpc.Interceptor[], options = {}) => {
    const c = new server.Client(server.address, grpc.credentials.createInsecure(), {
      interceptors,
      ...options,
    });
    clients.push(c);
    return c;
  };
  const flaky = (c: ThingsClient, id: string) => unary(c.flaky, c, { id }, new grpc.Metadata());

  it("grpc-js' retryPolicy: the retried attempt carries the token too, from one token request", async () => {
    const c = made([grpcAuth(provider())], retrying);
    expect(await flaky(c, 'retry-1')).toMatchObject({ echo: { id: 'retry-1' } });
    expect(codes('Flaky')).toEqual([14, 0]);
    const [first, retried] = server.calls;
    expect(first?.authorization).toMatch(/^Bearer /);
    expect(retried?.authorization).toBe(first?.authorization);
    expect(auth.stats.total).toBe(1);
  });

  it("under grpc-js' retryPolicy, after revoke-all: one refresh, one replay, then grpc-js' retry", async () => {
    const c = made([grpcAuth(provider())], retrying);
    await revokedAfterOneCall(c);
    expect(await flaky(c, 'retry-2')).toMatchObject({ echo: { id: 'retry-2' } });
    // The revoked token refused (not retried by grpc-js), our replay with the fresh one
    // answered UNAVAILABLE, grpc-js' retry of the replay with the same fresh token.
    expect(codes('Flaky')).toEqual([16, 14, 0]);
    const [refused, replayed, retried] = server.calls;
    expect(refused?.authorization).toBe(`Bearer ${revokedToken}`);
    expect(replayed?.authorization).not.toBe(refused?.authorization);
    expect(retried?.authorization).toBe(replayed?.authorization);
    expect(auth.stats.total).toBe(1);
  });

  it('interceptors above and below grpcAuth: the one above sees one call, the one below each attempt, neither our token', async () => {
    const log: string[] = [];
    const recorder =
      (name: string): grpc.Interceptor =>
      (options, nextCall) =>
        new grpc.InterceptingCall(nextCall(options), {
          start(metadata, _listener, next) {
            log.push(`${name} start, authorization ${metadata.get('authorization').length}`);
            next(metadata, {
              onReceiveStatus(status, nextStatus) {
                log.push(`${name} status ${status.code}`);
                nextStatus(status);
              },
            });
          },
        });
    const c = made([recorder('above'), grpcAuth(provider()), recorder('below')]);
    await revokedAfterOneCall(c);
    log.length = 0;
    expect(await get(c, { id: 3 })).toMatchObject({ echo: { id: 3 } });
    expect(log).toEqual([
      'above start, authorization 0',
      'below start, authorization 0',
      'below status 16',
      'below start, authorization 0',
      'below status 0',
      'above status 0',
    ]);
    expect(codes()).toEqual([16, 0]);
    expect(auth.stats.total).toBe(1);
  });
});
