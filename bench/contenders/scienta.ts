/**
 * `@scienta/axios-oauth2` 1.2.1 (with its bundled `@scienta/locking-cache` 1.3.0) on a user's
 * axios 1 instance, wired as its README shows:
 * - github.com/ScientaNL/axios-oauth2 README.md, "Client usage with token-caching interceptor":
 *   `interceptorFactory(clientFactory(..., {...}), new LockingTokenCache())` as a request
 *   interceptor on the user's axios 1 instance (works with axios 1). The token client sends
 *   `client_id` and `client_secret` in the form body (client_secret_post).
 *   Deviation: the README hands `clientFactory` the intercepted instance itself; then the token
 *   request passes through the interceptor, which waits for the lock its own caller holds (the
 *   lock auto-releases after 2 s and the retry deadlocks again): no token request is ever
 *   sent, with axios 1 and with the bundled axios 0.21 alike. So the token client gets its own
 *   `axios.create()`, as the README's "Simple client usage" does.
 * - with `redisUrl`: github.com/ScientaNL/locking-cache README.md, "Multi-threaded distributed
 *   locking and caching with redis (async/await)": `new LockingCache(new IoRedisStorage(redis,
 *   { namespace: 'cache' }), new RedisLocker(new Redlock(...)))`, given to `LockingTokenCache`.
 *   Deviations: redlock 4 (the locking-cache peer) takes an array of clients (redlock README,
 *   "Configuration"), so `new Redlock([redis])`; with the README's `new Redlock(redis)` every
 *   lock throws, LockingCache goes on unlocked (`cacheOnLockError`) and two processes' 2×50 cold
 *   calls made 100 token requests instead of 1. ioredis 6 (our devDependency) works with it.
 *   `RedisLocker`'s typings require a lock namespace (the README passes none): 'lock'.
 *   `@scienta/locking-cache` is imported from the copy axios-oauth2 depends on: installed at the
 *   top level it conflicts with our ioredis 6 (its optional peer is ioredis ^4).
 * Types: the package's .d.ts are written against axios 0.21 and @types/redlock against ioredis
 * 4; both run fine with axios 1 and ioredis 6 but do not type-check, hence the casts.
 * Nothing is hand-written. The library has no 401 handling, and none is added: a revoked token
 * stays cached until `expires_in` runs out.
 *
 * Cache key: md5 of `${url}-${grant_type}-${client_id}` (plus scope), stored in Redis as
 * `cache:<md5>` with TTL `expires_in`; the lock is `lock:<md5>`, held at most
 * `requestConfig.timeout ?? 2000` ms, i.e. 2 s (redlock then retries 10 times, 200 ms apart,
 * before going on unlocked). In memory the lock auto-releases after the same 2 s, by a timer
 * close() cannot reach (it keeps a process alive up to 2 s after the last cold fetch).
 */
import { clientFactory, interceptorFactory, LockingTokenCache } from '@scienta/axios-oauth2';
import {
  IoRedisStorage,
  LockingCache,
  RedisLocker,
  SimpleStorage,
} from '@scienta/axios-oauth2/node_modules/@scienta/locking-cache/dist/index.js';
import axios, { type InternalAxiosRequestConfig } from 'axios';
import { Redis } from 'ioredis';
import Redlock from 'redlock';
import { type Contender, type ContenderSpec, statusOf } from './contender.ts';

/** The axios 0.21 instance type the package's .d.ts expect. */
type ScientaAxios = Parameters<typeof clientFactory>[0];

export const scienta: ContenderSpec = {
  id: 'scienta-axios-oauth2',
  label: '`@scienta/axios-oauth2` `interceptorFactory` + `LockingTokenCache`',
  client: 'axios',
  source:
    'ScientaNL/axios-oauth2 README, "Client usage with token-caching interceptor"; ScientaNL/locking-cache README, "Multi-threaded distributed locking and caching with redis"',
  sharedStore: true,
  create(options): Contender {
    const redis = options.redisUrl ? new Redis(options.redisUrl) : undefined;
    // `new LockingTokenCache()` builds exactly this in-memory cache; holding the storage lets
    // close() clear its TTL timer (one per token, `expires_in` long, keeping the process alive).
    const memory = new Map<string, string>();
    const storage = redis
      ? new IoRedisStorage<string>(redis, { namespace: 'cache' })
      : new SimpleStorage<string>(memory);
    const lockingCache = redis
      ? new LockingCache<string>(
          storage,
          new RedisLocker(new Redlock([redis as unknown as Redlock.CompatibleRedisClient]), 'lock'),
        )
      : new LockingCache<string>(storage);

    const axiosInstance = axios.create({ baseURL: options.apiOrigin });
    const tokenClient = clientFactory(axios.create() as unknown as ScientaAxios, {
      url: options.tokenUrl,
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
    });
    axiosInstance.interceptors.request.use(
      interceptorFactory(tokenClient, new LockingTokenCache(lockingCache)) as unknown as (
        config: InternalAxiosRequestConfig,
      ) => Promise<InternalAxiosRequestConfig>,
    );
    return {
      get: (path) => axiosInstance.get(path).then((r) => r.status, statusOf),
      async close() {
        for (const key of [...memory.keys()]) await storage.set(key, undefined);
        redis?.disconnect();
      },
    };
  },
};
