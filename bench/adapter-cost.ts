/**
 * The CPU an adapter adds to one request, without the network: each client with a
 * transport that answers at once, with our adapter vs a static header; median of rounds.
 * got has no transport to swap short of a custom `request`, so it is measured over HTTP only.
 */
import { axiosAuth } from '@m2m-auth/axios';
import type { TokenProvider } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { kyAuth } from '@m2m-auth/ky';
import axios, { type AxiosAdapter } from 'axios';
import ky from 'ky';

const CALLS = 50_000;
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
  ];
}
