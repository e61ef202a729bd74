/**
 * Each HTTP client with no token library at all: a static `Authorization` header, the same
 * call shape as the contenders. The overhead benchmark's baseline, and the latency reference
 * of the expiry-under-load benchmark.
 */
import axios from 'axios';
import got, { type Response } from 'got';
import ky from 'ky';
import { Agent, request } from 'undici';
import { type ClientKind, type Contender, readStatus, statusOf } from './contender.ts';

export function bareClient(kind: ClientKind, apiOrigin: string, accessToken: string): Contender {
  const headers = { authorization: `Bearer ${accessToken}` };
  const close = async () => undefined;
  switch (kind) {
    case 'fetch':
      return { get: (path) => fetch(apiOrigin + path, { headers }).then(readStatus), close };
    case 'axios': {
      const api = axios.create({ baseURL: apiOrigin, headers });
      return { get: (path) => api.get(path).then((r) => r.status, statusOf), close };
    }
    case 'got': {
      const api = got.extend({ prefixUrl: apiOrigin, headers });
      return {
        get: (path) =>
          Promise.resolve(api.get(path.slice(1))).then((r) => (r as Response).statusCode, statusOf),
        close,
      };
    }
    case 'ky': {
      const api = ky.create({ baseUrl: apiOrigin, headers });
      return { get: (path) => api(path.slice(1)).then(readStatus, statusOf), close };
    }
    case 'undici': {
      const dispatcher = new Agent();
      return {
        get: async (path) => {
          const response = await request(apiOrigin + path, { dispatcher, headers });
          await response.body.arrayBuffer();
          return response.statusCode;
        },
        close: () => dispatcher.close(),
      };
    }
  }
}
