/**
 * The real redis-server and clients for a test file: started in `beforeAll` (on a free
 * port, no persistence), flushed before each test, closed after. Without a redis-server
 * binary the file's tests are skipped with a loud message, and fail under `CI=true`.
 */
import { type RedisServer, redisServerBinary, startRedisServer } from '@m2m-auth/test-utils';
import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis-5';
import { createClient } from 'redis';
import { createClient as createClient5 } from 'redis-5';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { RedisClientLike } from '../../src/index.ts';

export const redisBinary = redisServerBinary();

export interface ClientKind {
  name: string;
  connect(url: string): Promise<{ client: RedisClientLike; close(): Promise<void> | void }>;
}

interface IoRedisClient {
  on(event: string, listener: () => void): unknown;
  ping(): Promise<unknown>;
  call(command: string, ...args: string[]): Promise<unknown>;
  disconnect(): void;
}
interface NodeRedisClient {
  on(event: string, listener: () => void): unknown;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  destroy(): void;
}

// Default client options, as a user's would be; outages are the store's business.
const ioredis = (name: string, create: (url: string) => IoRedisClient): ClientKind => ({
  name,
  async connect(url) {
    const client = create(url);
    client.on('error', () => undefined);
    await client.ping();
    return { client, close: () => client.disconnect() };
  },
});

const nodeRedis = (name: string, create: (url: string) => NodeRedisClient): ClientKind => ({
  name,
  async connect(url) {
    const client = create(url);
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: () => client.destroy() };
  },
});

/** Every client major we support; the store runs the same tests on each. */
export const CLIENT_KINDS: readonly ClientKind[] = [
  ioredis('ioredis 6', (url) => new Redis(url)),
  ioredis('ioredis 5', (url) => new Redis5(url)),
  nodeRedis('redis 6', (url) => createClient({ url }) as unknown as NodeRedisClient),
  nodeRedis('redis 5', (url) => createClient5({ url }) as unknown as NodeRedisClient),
];

export interface RedisFixture {
  server: RedisServer;
  /** An ioredis client of the test's own, to read and write raw values. */
  admin: Redis;
}

export function useRedisServer(): RedisFixture {
  const fixture = {} as RedisFixture;
  beforeAll(async () => {
    if (!redisBinary) return;
    fixture.server = await startRedisServer(redisBinary);
    fixture.admin = new Redis(fixture.server.url);
    fixture.admin.on('error', () => undefined);
  });
  beforeEach(async () => {
    await fixture.server?.start();
    await fixture.admin?.flushall();
  });
  afterAll(async () => {
    fixture.admin?.disconnect();
    await fixture.server?.close();
  });
  return fixture;
}
