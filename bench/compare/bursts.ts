/**
 * Tables 1 and 2: how many token requests a burst costs.
 *   - Cold burst: 1, 100 and 1 000 concurrent GETs on a client that has no token yet.
 *   - Revocation storm: after one warm-up call, revoke every token and send 100 concurrent GETs;
 *     each gets a 401, and the library decides how many token requests that is worth.
 *   - The same storm behind an API whose answers take 0-99 ms (bench/compare/slow-proxy.ts).
 * A fresh contender (and so a cold cache) per row.
 */
import type { ContenderSpec } from '../contenders/contender.ts';
import { concurrently, startCompareServers } from './servers.ts';
import { startSlowProxy } from './slow-proxy.ts';

export const COLD_BURSTS = [1, 100, 1000] as const;
export const STORM_CALLS = 100;

export interface BurstRow {
  id: string;
  label: string;
  cold: { calls: number; tokenRequests: number; failed: number }[];
  storm: { tokenRequests: number; failed: number };
  slowStorm: { tokenRequests: number; failed: number };
}

export async function bursts(specs: readonly ContenderSpec[]): Promise<BurstRow[]> {
  const servers = await startCompareServers();
  const slow = await startSlowProxy(servers.api.url);
  const rows: BurstRow[] = [];
  for (const spec of specs) {
    const cold = [];
    for (const calls of COLD_BURSTS) {
      const contender = await spec.create(servers.options());
      servers.auth.stats.reset();
      const failed = await concurrently(calls, () => contender.get('/echo'));
      cold.push({ calls, tokenRequests: servers.tokenRequests(), failed });
      await contender.close();
    }
    const storm = async (apiOrigin: string) => {
      const contender = await spec.create({ ...servers.options(), apiOrigin });
      await contender.get('/echo');
      servers.auth.control.revokeAll();
      servers.auth.stats.reset();
      const failed = await concurrently(STORM_CALLS, () => contender.get('/echo'));
      await contender.close();
      return { tokenRequests: servers.tokenRequests(), failed };
    };
    rows.push({
      id: spec.id,
      label: spec.label,
      cold,
      storm: await storm(servers.api.url),
      slowStorm: await storm(slow.url),
    });
  }
  await Promise.all([servers.close(), slow.close()]);
  return rows;
}
