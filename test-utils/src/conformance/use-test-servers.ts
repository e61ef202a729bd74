/**
 * `useTestServers()`: the authorization server, the protected API and another origin for a
 * vitest file, started once (`beforeAll`), reset before each test (stats, faults, lifetimes,
 * clock offset, discovery overrides, DPoP nonces required again, API records), closed after (`afterAll`).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startAuthServer } from '../auth-server.ts';
import { startOtherOrigin } from '../other-origin.ts';
import { startResourceServer } from '../resource-server.ts';
import type { ConformanceServers } from './types.ts';

/** The servers, filled in by `beforeAll`: read them inside tests and hooks only. */
export function useTestServers(): ConformanceServers {
  const servers = {} as ConformanceServers;
  beforeAll(async () => {
    servers.auth = await startAuthServer();
    servers.api = await startResourceServer({ authServer: servers.auth });
    servers.other = await startOtherOrigin();
  });
  afterAll(async () => {
    await Promise.all([servers.auth.close(), servers.api.close(), servers.other.close()]);
  });
  beforeEach(() => {
    servers.auth.stats.reset();
    servers.auth.control.clearFaults();
    servers.auth.control.resetLifetimes();
    servers.auth.control.setClockOffset(0);
    servers.auth.control.setDiscovery(undefined);
    servers.auth.control.requireDpopNonce(true);
    servers.api.reset();
    servers.api.requireDpopNonce(true);
    servers.other.received.length = 0;
  });
  return servers;
}
