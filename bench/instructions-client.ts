/**
 * One client process for `bench/instructions.ts`: sends N sequential GETs through one
 * client, bare (static header) or with our adapter, against a loopback API in another
 * process, so that valgrind counts this process's instructions only.
 *   node bench/instructions-client.ts <fetch|axios|got|ky> <bare|adapter> <N>
 */
import { axiosAuth } from '@m2m-auth/axios';
import { createTokenProvider } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { gotAuth } from '@m2m-auth/got';
import { kyAuth } from '@m2m-auth/ky';
import axios from 'axios';
import got from 'got';
import ky from 'ky';
import { startApi } from './http-overhead.ts';
import { startTokenServer } from './token-server.ts';

const [client = 'fetch', mode = 'bare', count = '100'] = process.argv.slice(2);
const tokenServer = await startTokenServer(0);
const api = await startApi();
const provider = createTokenProvider({
  tokenUrl: tokenServer.tokenUrl,
  clientId: 'b',
  clientSecret: 'bench-secret',
});
const headers = { authorization: `Bearer ${(await provider.getToken()).accessToken}` };
const url = `${api.url}/things`;
const origins = [api.url];

const calls: Record<string, Record<string, () => Promise<unknown>>> = {
  fetch: {
    bare: async () => (await fetch(url, { headers })).arrayBuffer(),
    adapter: (
      (f) => async () =>
        (await f(url)).arrayBuffer()
    )(fetchAuth(provider, { origins })),
  },
  axios: {
    bare: (
      (i) => () =>
        i.get('/things')
    )(axios.create({ baseURL: api.url, headers })),
    adapter: ((i) => {
      axiosAuth(i, provider);
      return () => i.get('/things');
    })(axios.create({ baseURL: api.url })),
  },
  got: {
    bare: (
      (g) => () =>
        g('things').buffer()
    )(got.extend({ prefixUrl: api.url, headers })),
    adapter: (
      (g) => () =>
        g('things').buffer()
    )(got.extend({ prefixUrl: api.url }, gotAuth(provider, { origins }))),
  },
  ky: {
    bare: (
      (k) => () =>
        k('things').arrayBuffer()
    )(ky.create({ baseUrl: api.url, headers })),
    adapter: (
      (k) => () =>
        k('things').arrayBuffer()
    )(ky.create({ baseUrl: api.url, ...kyAuth(provider, { origins }) })),
  },
};

const call = calls[client]?.[mode];
if (!call) throw new Error(`unknown client/mode ${client}/${mode}`);
for (let i = 0; i < Number(count); i++) await call();
await Promise.all([api.close(), tokenServer.close()]);
