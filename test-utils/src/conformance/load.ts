/**
 * Load through an adapter (issue 7): 10 000 requests at concurrency 200 with every token
 * revoked halfway. No request fails, the token endpoint sees one request for the start and
 * one for the revocation, and the heap after GC is back near where it was. No timings are
 * asserted: they depend on the machine.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { profileProvider } from '../profile-provider.ts';
import type { MakeClient } from './types.ts';
import { useTestServers } from './use-test-servers.ts';

const TOTAL = 10_000;
const CONCURRENCY = 200;
const REVOKE_AT = 5_000;
/** Generous: what is left of a client after 10 000 requests is kilobytes, a leak is far more. */
const HEAP_MARGIN_BYTES = 20 * 1024 * 1024;

/** A full, synchronous GC, without starting the test process with `--expose-gc`. */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function describeLoad(name: string, makeClient: MakeClient): void {
  describe(`${name} under load`, () => {
    const servers = useTestServers();

    /** `total` requests at `CONCURRENCY`, revoking every token before request `revokeAt`. */
    async function run(total: number, revokeAt = -1) {
      const statuses = new Map<number, number>();
      const errors: unknown[] = [];
      const provider = profileProvider(servers.auth, 'generic');
      const request = await makeClient({ provider, origins: [servers.api.url], servers });
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const i = next++;
          if (i === revokeAt) servers.auth.control.revokeAll();
          try {
            const { status } = await request({ url: `${servers.api.url}/echo/${i}` });
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          } catch (error) {
            errors.push(error);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return { statuses, errors };
    }

    it(`serves ${TOTAL} requests at concurrency ${CONCURRENCY} with a revocation halfway: none fails, 2 token requests, heap back near baseline`, async () => {
      // A first round on another client pays the one-off costs (compiled code, 200 pooled
      // connections), so the baseline is the process at work, not the process before work.
      await run(1_000);
      servers.api.reset();
      servers.auth.stats.reset();
      const baseline = heapAfterGc();

      const { statuses, errors } = await run(TOTAL, REVOKE_AT);

      expect(errors.slice(0, 3)).toEqual([]);
      expect(Object.fromEntries(statuses)).toEqual({ 200: TOTAL });
      expect(servers.auth.stats.requests.map((r) => r.status)).toEqual([200, 200]);
      // Only requests refused with the revoked token were sent twice, each once more.
      const { counters } = servers.api;
      expect(counters.unauthorized).toBeGreaterThan(0);
      expect(counters.unauthorized).toBeLessThanOrEqual(CONCURRENCY);
      expect(counters.total).toBe(TOTAL + counters.unauthorized);
      expect(Math.max(...Object.values(counters.byPath))).toBeLessThanOrEqual(2);

      // The servers' own records of 10 000 requests are not the library's memory.
      servers.api.reset();
      servers.auth.stats.reset();
      const grown = heapAfterGc() - baseline;
      expect(grown).toBeLessThan(HEAP_MARGIN_BYTES);
    }, 60_000);
  });
}
