/**
 * The CPU an adapter adds to one request, without the network: each client with a
 * transport that answers at once, with our adapter vs a static header; median of rounds.
 * got has no transport to swap short of a custom `request`, so it is measured over HTTP only.
 * undici: its dispatch, answered at once, bare with a static header vs under undiciAuth.
 * grpc: an interceptor chain whose bottom call answers at once (grpc-instant-call.ts), static
 * metadata through a pass-through interceptor vs grpcAuth.
 */

import { Metadata } from '@grpc/grpc-js';
import { axiosAuth } from '@m2m-auth/axios';
import type { TokenProvider } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { grpcAuth } from '@m2m-auth/grpc';
import { kyAuth } from '@m2m-auth/ky';
import { undiciAuth } from '@m2m-auth/undici';
import axios, { type AxiosAdapter } from 'axios';
import ky from 'ky';
import { instantUnary } from './grpc-instant-call.ts';

const CALLS = 50_000;

interface InstantHandler {
  onRequestStart?(controller: unknown, context: unknown): void;
  onResponseStart?(controller: unknown, status: number, headers: object, message: string): void;
  onResponseEnd?(controller: unknown, trailers: object): void;
}
const controller = {
  aborted: false,
  paused: false,
  reason: null,
  abort() {},
  pause() {},
  resume() {},
};
/** An undici dispatch that answers 200 at once, in the handler API undici 7 and 8 use. */
const instantDispatch = (_options: unknown, handler: InstantHandler) => {
  handler.onRequestStart?.(controller, {});
  handler.onResponseStart?.(controller, 200, {}, 'OK');
  handler.onResponseEnd?.(controller, {});
  return true;
};
/** One GET through `dispatch`, settled when the response ends, as undici's request() waits. */
const dispatched = (
  dispatch: (options: object, handler: object) => boolean,
  origin: string,
  headers?: object,
) =>
  new Promise<void>((resolve, reject) => {
    dispatch(
      { origin, path: '/things', method: 'GET', ...(headers ? { headers } : {}) },
      {
        onRequestStart() {},
        onResponseEnd: () => resolve(),
        onResponseError: (_controller: unknown, error: unknown) => reject(error),
      },
    );
  });
const ROUNDS = 7;

async function microsPerCall(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) await call();
  return ((performance.now() - started) * 1000) / CALLS;
}

async function compare(bare: () => Promise<unknown>, adapter: () => Promise<unknown>) {
  await microsPerCall(bare);
  await microsPerCall(adapter);
  const added: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const b = await microsPerCall(bare);
    const a = await microsPerCall(adapter);
    base.push(b);
    added.push(a - b);
  }
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)] as number;
  return { bareMicros: median(base), addedMicros: median(added) };
}

export async function adapterCost(provider: TokenProvider, origin: string) {
  const { accessToken } = await provider.getToken();
  const headers = { authorization: `Bearer ${accessToken}` };
  const url = `${origin}/things`;

  const answer = new Response(null);
  const transport = async (_input: RequestInfo | URL, _init?: RequestInit) => answer;
  const authedFetch = fetchAuth(provider, { origins: [origin], fetch: transport });

  const instant: AxiosAdapter = async (config) => ({
    data: '',
    status: 200,
    statusText: 'OK',
    headers: {},
    config,
  });
  const bareAxios = axios.create({ baseURL: origin, adapter: instant, headers });
  const authedAxios = axios.create({ baseURL: origin, adapter: instant });
  axiosAuth(authedAxios, provider);
  const noopKy = ky.create({
    fetch: transport,
    retry: 0,
    headers,
    hooks: { beforeRequest: [async () => {}], afterResponse: [async () => undefined] },
  });
  const authedDispatch = undiciAuth(provider, { origins: [origin] })(instantDispatch);
  const authedKy = ky.create({
    retry: 0,
    ...kyAuth(provider, { origins: [origin], fetch: transport }),
  });

  return [
    {
      name: 'fetch',
      ...(await compare(
        () => transport(url, { headers }),
        () => authedFetch(url),
      )),
    },
    {
      name: 'axios',
      ...(await compare(
        () => bareAxios.get('/things'),
        () => authedAxios.get('/things'),
      )),
    },
    {
      // What ky's hook machinery costs by itself (it clones the response for each
      // afterResponse hook): the floor under any hook-based ky integration.
      name: 'ky, two no-op hooks (reference)',
      ...(await compare(
        () => ky(url, { headers, fetch: transport, retry: 0 }),
        () => noopKy(url),
      )),
    },
    {
      name: 'ky',
      ...(await compare(
        () => ky(url, { headers, fetch: transport, retry: 0 }),
        () => authedKy(url),
      )),
    },
    {
      name: 'grpc',
      ...(await compare(
        instantUnary(origin, undefined, () => {
          const metadata = new Metadata();
          metadata.set('authorization', headers.authorization);
          return metadata;
        }),
        instantUnary(origin, grpcAuth(provider), () => new Metadata()),
      )),
    },
    {
      name: 'undici',
      ...(await compare(
        () => dispatched(instantDispatch, origin, headers),
        () => dispatched(authedDispatch, origin),
      )),
    },
  ];
}
