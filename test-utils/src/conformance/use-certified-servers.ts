/**
 * `useCertifiedServers()`: oidc-provider (`startCertifiedServer`) and two protected APIs on
 * it, one taking JWT access tokens, one opaque tokens it introspects, for a vitest file:
 * started once (`beforeAll`), reset before each test (counts, records, DPoP nonces required
 * at both ends), closed after.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type CertifiedApi, startCertifiedApi } from '../certified/certified-api.ts';
import { type CertifiedServer, startCertifiedServer } from '../certified/certified-server.ts';

export interface CertifiedServers {
  auth: CertifiedServer;
  /** Verifies JWT access tokens against the server's JWKS. */
  api: CertifiedApi;
  /** Introspects opaque access tokens at the server (so a revocation shows at once). */
  opaqueApi: CertifiedApi;
}

/** The servers, filled in by `beforeAll`: read them inside tests and hooks only. */
export function useCertifiedServers(): CertifiedServers {
  const servers = {} as CertifiedServers;
  beforeAll(async () => {
    servers.auth = await startCertifiedServer();
    servers.api = await startCertifiedApi({ server: servers.auth, format: 'jwt' });
    servers.opaqueApi = await startCertifiedApi({ server: servers.auth, format: 'opaque' });
  });
  afterAll(async () => {
    await Promise.all([servers.api.close(), servers.opaqueApi.close()]);
    await servers.auth.close();
  });
  beforeEach(() => {
    servers.auth.stats.reset();
    servers.auth.requireDpopNonce(true);
    for (const api of [servers.api, servers.opaqueApi]) {
      api.reset();
      api.requireDpopNonce(true);
    }
  });
  return servers;
}
