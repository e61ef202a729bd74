/**
 * The store on a real 3-master Redis Cluster (started by the tests), through every cluster
 * client we support: ioredis 5 and 6 `Cluster`, iovalkey `Cluster`, node-redis 5 and 6
 * `createCluster()`. A token's keys share a hash tag, so its Lua scripts run on one slot;
 * different cache keys spread over the masters.
 */
import { execFileSync } from 'node:child_process';
import { ConfigError, createTokenProvider } from '@m2m-auth/core';
import {
  type AuthServer,
  type RedisCluster,
  redisCliBinary,
  startAuthServer,
  startRedisCluster,
} from '@m2m-auth/test-utils';
import { Cluster } from 'ioredis';
import { Cluster as Cluster5 } from 'ioredis-5';
import { Cluster as ValkeyCluster } from 'iovalkey';
import { createCluster, createSentinel } from 'redis';
import { createCluster as createCluster5 } from 'redis-5';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisClientLike, type RedisStoreEvent, redisStore } from '../src/index.ts';
import { entry } from './helpers/entries.ts';
import { redisBinary } from './helpers/redis.ts';

const cliBinary = redisBinary ? redisCliBinary() : undefined;

interface ClusterKind {
  name: string;
  connect(nodes: RedisCluster['nodes']): Promise<{ client: RedisClientLike; close(): unknown }>;
}

interface IoCluster {
  on(event: string, listener: () => void): unknown;
  call(command: string, ...args: string[]): Promise<unknown>;
  disconnect(): void;
}
interface NodeCluster {
  on(event: string, listener: () => void): unknown;
  connect(): Promise<unknown>;
  destroy(): Promise<void> | void;
}

const ioCluster = (name: string, create: (nodes: RedisCluster['nodes']) => IoCluster) => ({
  name,
  async connect(nodes: RedisCluster['nodes']) {
    const client = create(nodes);
    client.on('error', () => undefined);
    await client.call('PING');
    return { client: client as unknown as RedisClientLike, close: () => client.disconnect() };
  },
});
const nodeCluster = (name: string, create: (urls: { url: string }[]) => NodeCluster) => ({
  name,
  async connect(nodes: RedisCluster['nodes']) {
    const client = create(nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })));
    client.on('error', () => undefined);
    await client.connect();
    return { client: client as unknown as RedisClientLike, close: () => client.destroy() };
  },
});

const KINDS: readonly ClusterKind[] = [
  ioCluster('ioredis 6 Cluster', (nodes) => new Cluster([...nodes]) as unknown as IoCluster),
  ioCluster('ioredis 5 Cluster', (nodes) => new Cluster5([...nodes]) as unknown as IoCluster),
  ioCluster('iovalkey Cluster', (nodes) => new ValkeyCluster([...nodes]) as unknown as IoCluster),
  nodeCluster(
    'node-redis 6 createCluster',
    (rootNodes) => createCluster({ rootNodes }) as unknown as NodeCluster,
  ),
  nodeCluster(
    'node-redis 5 createCluster',
    (rootNodes) => createCluster5({ rootNodes }) as unknown as NodeCluster,
  ),
];

let cluster: RedisCluster;
let auth: AuthServer;
const closers: Array<() => unknown> = [];
beforeAll(async () => {
  if (!cliBinary || !redisBinary) return;
  [cluster, auth] = await Promise.all([
    startRedisCluster(redisBinary, cliBinary),
    startAuthServer(),
  ]);
}, 30_000);
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  auth?.stats.reset();
  for (const { port } of cluster?.nodes ?? []) {
    execFileSync(cliBinary as string, ['-p', String(port), 'FLUSHALL']);
  }
});
afterAll(async () => {
  await Promise.all([cluster?.close(), auth?.close()]);
});

for (const kind of KINDS) {
  describe.skipIf(!cliBinary)(`redisStore on a Redis Cluster with ${kind.name}`, () => {
    async function store() {
      const connection = await kind.connect(cluster.nodes);
      closers.push(connection.close);
      const events: RedisStoreEvent[] = [];
      return {
        store: redisStore(connection.client, { onEvent: (e) => events.push(e) }),
        events,
      };
    }

    it('shares tokens, locks and failures across slots, with no fallback', async () => {
      const [a, b] = [await store(), await store()];
      const keys = Array.from({ length: 12 }, (_, i) => `${kind.name}-key-${i}`);
      for (const key of keys) await a.store.set(key, entry(`T-${key}`), 45_000);
      for (const key of keys) {
        expect((await b.store.get(key))?.token.accessToken).toBe(`T-${key}`);
      }
      expect(await b.store.deleteIf(keys[0] as string, 'OTHER')).toBe(false);
      expect(await b.store.deleteIf(keys[0] as string, `T-${keys[0]}`)).toBe(true);

      const held = await a.store.lock?.('locked', 5000);
      expect(held).toBeDefined();
      expect(await b.store.lock?.('locked', 5000)).toBeUndefined();
      await a.store.setFailure?.('locked', { code: 'M2M_HTTP_ERROR', message: 'HTTP 503' }, 5000);
      expect(await b.store.getFailure?.('locked')).toMatchObject({ message: 'HTTP 503' });
      await held?.release();
      const next = await b.store.lock?.('locked', 5000);
      expect(next).toBeDefined(); // the failure's write freed the lock
      await next?.release();
      expect([...a.events, ...b.events]).toEqual([]);
    });

    it('gives two processes one token request', async () => {
      const provider = async () =>
        createTokenProvider({
          tokenUrl: auth.tokenUrl('generic'),
          clientId: 'demo-client',
          clientSecret: 'demo-secret',
          store: (await store()).store,
        });
      const [one, two] = [await provider(), await provider()];
      const tokens = await Promise.all([one.getToken(), two.getToken(), one.getToken()]);
      expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
      expect(auth.stats.total).toBe(1);
    });
  });
}

describe('redisStore clients', () => {
  it('refuses a client it cannot drive, at construction', () => {
    const sentinel = createSentinel({
      name: 'mymaster',
      sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }],
    });
    expect(() => redisStore(sentinel as unknown as RedisClientLike)).toThrow(ConfigError);
    expect(() => redisStore({ sendMessage: () => null } as never)).toThrow(ConfigError);
  });
});
