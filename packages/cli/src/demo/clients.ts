/**
 * The demo's four clients, each wired the way its package README shows, behind one small
 * interface: call a path on the API (optionally for another tenant scope), get the status.
 * HTTP errors are returned, not thrown, so the demo can show a 403 passing through.
 */
import { axiosAuth } from '@m2m-auth/axios';
import type { TokenProvider } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { gotAuth } from '@m2m-auth/got';
import { kyAuth } from '@m2m-auth/ky';
import axios from 'axios';
import got, { type Response } from 'got';
import ky from 'ky';

export const ADAPTERS = ['fetch', 'axios', 'got', 'ky'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export interface DemoClient {
  /** `path` starts with `/`; `scope` asks for another tenant's token on the same client. */
  call(path: string, scope?: string): Promise<number>;
}

export function demoClient(adapter: AdapterName, tokens: TokenProvider, api: string): DemoClient {
  switch (adapter) {
    case 'fetch': {
      // fetch has no per-request options: a scope is another provider view of the same client.
      const origins = [api];
      const plain = fetchAuth(tokens, { origins });
      return {
        async call(path, scope) {
          const send = scope ? fetchAuth(tokens.forScope(scope), { origins }) : plain;
          const res = await send(`${api}${path}`);
          await res.arrayBuffer();
          return res.status;
        },
      };
    }
    case 'axios': {
      const instance = axios.create({ baseURL: api, validateStatus: () => true });
      axiosAuth(instance, tokens);
      return {
        call: async (path, scope) =>
          (await instance.get(path, scope ? { m2mAuth: { scope } } : {})).status,
      };
    }
    case 'got': {
      const client = got.extend(
        { prefixUrl: api, throwHttpErrors: false, retry: { limit: 0 } },
        gotAuth(tokens, { prefixUrl: api }),
      );
      return {
        async call(path, scope) {
          const context = scope ? { m2mAuth: { scope } } : {};
          const res = (await client.get(path.slice(1), { context })) as Response;
          return res.statusCode;
        },
      };
    }
    case 'ky': {
      const client = ky.create({
        baseUrl: api,
        throwHttpErrors: false,
        retry: 0,
        ...kyAuth(tokens, { baseUrl: api }),
      });
      return {
        async call(path, scope) {
          const res = await client(path.slice(1), {
            context: scope ? { m2mAuth: { scope } } : {},
          });
          await res.arrayBuffer();
          return res.status;
        },
      };
    }
  }
}
