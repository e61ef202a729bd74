/**
 * The servers every comparison runs against: the test-utils authorization server (its
 * `strict-rfc` profile takes Basic or body credentials, so every library's default works)
 * and its resource server, which verifies each token for real (signature, expiry, revocation).
 */
import { startAuthServer, startResourceServer } from '@m2m-auth/test-utils';
import type { ContenderOptions } from '../contenders/contender.ts';

export const PROFILE = 'strict-rfc';
export const CLIENT_SECRET = 'bench-secret';

export async function startCompareServers(clientIds: readonly string[] = ['bench-client']) {
  const auth = await startAuthServer({
    clients: clientIds.map((clientId) => ({ clientId, clientSecret: CLIENT_SECRET })),
  });
  const api = await startResourceServer({ authServer: auth });
  const options = (clientId = clientIds[0] as string): ContenderOptions => ({
    tokenUrl: auth.tokenUrl(PROFILE),
    clientId,
    clientSecret: CLIENT_SECRET,
    apiOrigin: api.url,
  });
  return {
    auth,
    api,
    options,
    /** Token requests this client has made since the last `auth.stats.reset()`. */
    tokenRequests: (clientId = clientIds[0] as string) =>
      auth.stats.requests.filter((r) => r.clientId === clientId).length,
    close: () => Promise.all([auth.close(), api.close()]).then(() => undefined),
  };
}

/** Runs `calls` at once; counts the ones that did not end in a 200 (a status or a rejection). */
export async function concurrently(calls: number, get: () => Promise<number>) {
  const outcomes = await Promise.allSettled(Array.from({ length: calls }, get));
  return outcomes.filter((o) => o.status === 'rejected' || o.value !== 200).length;
}
