/**
 * `useTestServers()`: the authorization server (its default clients and a service account,
 * `DEMO_SERVICE_ACCOUNT`), the protected API and another origin for a vitest file, started once (`beforeAll`), reset before each test (stats, faults, lifetimes,
 * clock offset, discovery overrides, DPoP nonces required again, API records), closed after (`afterAll`).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_CLIENTS, startAuthServer } from '../auth-server.ts';
import { type ClientKeys, generateClientKeys } from '../client-keys.ts';
import { startOtherOrigin } from '../other-origin.ts';
import { DEMO_SERVICE_ACCOUNT } from '../profile-provider.ts';
import { startResourceServer } from '../resource-server.ts';
import type { ConformanceServers } from './types.ts';

// One service-account key per process: RSA keys are slow to make, and rows start many servers.
let demoKey: Promise<ClientKeys> | undefined;

/** The servers, filled in by `beforeAll`: read them inside tests and hooks only. */
export function useTestServers(): ConformanceServers {
  const servers = {} as ConformanceServers;
  beforeAll(async () => {
    demoKey ??= generateClientKeys('RS256', 'demo-sa-key');
    servers.serviceAccountKey = await demoKey;
    const serviceAccount = {
      clientId: DEMO_SERVICE_ACCOUNT,
      clientSecret: 'unused-service-account-secret',
      jwks: servers.serviceAccountKey.jwks,
    };
    servers.auth = await startAuthServer({ clients: [...DEFAULT_CLIENTS, serviceAccount] });
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
