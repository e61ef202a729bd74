/**
 * One adapter's overhead comparison in a fresh process (so no other client's JIT state or
 * garbage skews it): `node bench/overhead-child.ts <control|fetch|axios|got|ky>` prints the
 * paired rounds as JSON. bench/run.ts runs several of these per adapter and pools the rounds.
 */
import { axiosAuth } from '@m2m-auth/axios';
import { createTokenProvider } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { gotAuth } from '@m2m-auth/got';
import { kyAuth } from '@m2m-auth/ky';
import axios from 'axios';
import got from 'got';
import ky from 'ky';
import { overhead, startApi } from './http-overhead.ts';
import { startTokenServer } from './token-server.ts';

type Pair = [bare: () => Promise<unknown>, adapter: () => Promise<unknown>];

const tokenServer = await startTokenServer(0);
const api = await startApi();
const provider = createTokenProvider({
  tokenUrl: tokenServer.tokenUrl,
  clientId: 'bench',
  clientSecret: 'bench-secret',
});
const { accessToken } = await provider.getToken();
const headers = { authorization: `Bearer ${accessToken}` };
const url = `${api.url}/things`;

const pairs: Record<string, () => Pair> = {
  control: () => [
    async () => (await fetch(url, { headers })).arrayBuffer(),
    async () => (await fetch(url, { headers })).arrayBuffer(),
  ],
  fetch: () => {
    const authedFetch = fetchAuth(provider, { origins: [api.url] });
    return [
      async () => (await fetch(url, { headers })).arrayBuffer(),
      async () => (await authedFetch(url)).arrayBuffer(),
    ];
  },
  axios: () => {
    const bare = axios.create({ baseURL: api.url, headers });
    const authed = axios.create({ baseURL: api.url });
    axiosAuth(authed, provider);
    return [() => bare.get('/things'), () => authed.get('/things')];
  },
  got: () => {
    const bare = got.extend({ prefixUrl: api.url, headers });
    const authed = got.extend({ prefixUrl: api.url }, gotAuth(provider, { prefixUrl: api.url }));
    return [() => bare('things').buffer(), () => authed('things').buffer()];
  },
  ky: () => {
    const bare = ky.create({ baseUrl: api.url, headers });
    const authed = ky.create({ baseUrl: api.url, ...kyAuth(provider, { baseUrl: api.url }) });
    return [() => bare('things').arrayBuffer(), () => authed('things').arrayBuffer()];
  },
};

const make = pairs[process.argv[2] ?? ''];
if (!make) throw new Error(`usage: overhead-child.ts <${Object.keys(pairs).join('|')}>`);
const rounds = await overhead(...make(), { rounds: Number(process.env['ROUNDS'] ?? 11) });
await Promise.all([api.close(), tokenServer.close()]);
process.stdout.write(`${JSON.stringify(rounds)}\n`);
