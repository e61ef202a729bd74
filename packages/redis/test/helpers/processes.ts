/**
 * "Processes" of a fleet for a test file: each its own Redis client, `redisStore` and
 * provider, on the `generic` profile of a real token server (test-utils) started for the
 * file. Clients close after each test; the server's counters and faults are reset.
 */
import { createTokenProvider, type TokenProviderOptions } from '@m2m-auth/core';
import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type RedisStoreEvent, type RedisStoreOptions, redisStore } from '../../src/index.ts';
import { CLIENT_KINDS, type RedisFixture } from './redis.ts';

export interface Processes {
  /** The token server, once started (in `beforeAll`). */
  readonly auth: AuthServer;
  start(
    storeOptions?: RedisStoreOptions,
    providerOptions?: Partial<TokenProviderOptions>,
  ): Promise<{
    tokens: ReturnType<typeof createTokenProvider>;
    store: ReturnType<typeof redisStore>;
    events: RedisStoreEvent[];
  }>;
}

export function useProcesses(redis: RedisFixture): Processes {
  let auth: AuthServer | undefined;
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    auth?.stats.reset();
    auth?.control.clearFaults();
  });
  afterAll(() => auth?.close());
  const processes: Processes = {
    get auth() {
      if (!auth) throw new Error('the token server starts in beforeAll');
      return auth;
    },
    start: async (storeOptions = {}, providerOptions = {}) => {
      const kind = CLIENT_KINDS[0] as (typeof CLIENT_KINDS)[0];
      const connection = await kind.connect(redis.server.url);
      closers.push(connection.close);
      const events: RedisStoreEvent[] = [];
      const store = redisStore(connection.client, {
        ...storeOptions,
        onEvent: (e) => events.push(e),
      });
      const tokens = createTokenProvider({
        tokenUrl: processes.auth.tokenUrl('generic'),
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        store,
        ...providerOptions,
      });
      return { tokens, store, events };
    },
  };
  return processes;
}
