/**
 * Our four adapters as contenders, each wired as its package README shows (packages/<name>/README.md,
 * "Quick start"); with `redisUrl`, the provider uses the Redis store (packages/redis/README.md,
 * "With ioredis").
 */
import { axiosAuth } from '@m2m-auth/axios';
import { createTokenProvider } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { gotAuth } from '@m2m-auth/got';
import { kyAuth } from '@m2m-auth/ky';
import { redisStore } from '@m2m-auth/redis';
import axios from 'axios';
import got, { type Response } from 'got';
import { Redis } from 'ioredis';
import ky from 'ky';
import {
  type Contender,
  type ContenderOptions,
  type ContenderSpec,
  readStatus,
  statusOf,
} from './contender.ts';

function provider(options: ContenderOptions) {
  const redis = options.redisUrl ? new Redis(options.redisUrl) : undefined;
  redis?.on('error', () => undefined); // the store reports outages itself
  const tokens = createTokenProvider({
    tokenUrl: options.tokenUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(redis ? { store: redisStore(redis, { encryptionKey: new Uint8Array(32) }) } : {}),
  });
  return { tokens, close: async () => void redis?.disconnect() };
}

const source = 'packages/<adapter>/README.md, "Quick start"';

export const m2mAuth: ContenderSpec[] = [
  {
    id: 'ours-fetch',
    label: '**m2m-auth** `fetchAuth`',
    client: 'fetch',
    source,
    sharedStore: true,
    create(options): Contender {
      const { tokens, close } = provider(options);
      const authedFetch = fetchAuth(tokens, { origins: [options.apiOrigin] });
      return {
        get: (path) => authedFetch(options.apiOrigin + path).then(readStatus),
        close,
      };
    },
  },
  {
    id: 'ours-axios',
    label: '**m2m-auth** `axiosAuth`',
    client: 'axios',
    source,
    sharedStore: true,
    create(options): Contender {
      const { tokens, close } = provider(options);
      const api = axios.create({ baseURL: options.apiOrigin });
      axiosAuth(api, tokens);
      return { get: (path) => api.get(path).then((r) => r.status, statusOf), close };
    },
  },
  {
    id: 'ours-got',
    label: '**m2m-auth** `gotAuth`',
    client: 'got',
    source,
    sharedStore: true,
    create(options): Contender {
      const { tokens, close } = provider(options);
      const api = got.extend(
        { prefixUrl: options.apiOrigin },
        gotAuth(tokens, { prefixUrl: options.apiOrigin }),
      );
      return {
        get: (path) =>
          Promise.resolve(api.get(path.slice(1))).then((r) => (r as Response).statusCode, statusOf),
        close,
      };
    },
  },
  {
    id: 'ours-ky',
    label: '**m2m-auth** `kyAuth`',
    client: 'ky',
    source,
    sharedStore: true,
    create(options): Contender {
      const { tokens, close } = provider(options);
      const api = ky.create({
        baseUrl: options.apiOrigin,
        ...kyAuth(tokens, { baseUrl: options.apiOrigin }),
      });
      return {
        get: (path) => api(path.slice(1)).then(readStatus, statusOf),
        close,
      };
    },
  },
];
