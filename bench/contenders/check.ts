/**
 * Drives the contenders of one module through the basics against the test-utils servers and
 * prints what happened, so a new contender can be seen to work before it is benchmarked:
 *   node --conditions=@m2m-auth/source bench/contenders/check.ts bench/contenders/<file>.ts
 * Every `ContenderSpec` (or array of them) the module exports is checked.
 */
import { pathToFileURL } from 'node:url';
import { startAuthServer, startResourceServer } from '@m2m-auth/test-utils';
import type { ContenderSpec } from './contender.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: check.ts <contender module>');
const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
const specs = Object.values(module)
  .flat()
  .filter(
    (value): value is ContenderSpec => typeof (value as ContenderSpec)?.create === 'function',
  );

const clientId = 'bench-check';
const clientSecret = 'bench-secret';
const auth = await startAuthServer({ clients: [{ clientId, clientSecret }] });
const api = await startResourceServer({ authServer: auth });

async function burst(get: (path: string) => Promise<number>, n: number, path = '/echo') {
  const before = auth.stats.total;
  const outcomes = await Promise.allSettled(Array.from({ length: n }, () => get(path)));
  const statuses: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status === 'fulfilled' ? String(o.value) : `rejected ${String(o.reason)}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return { tokenRequests: auth.stats.total - before, statuses };
}

for (const spec of specs) {
  auth.stats.reset();
  api.reset();
  const contender = await spec.create({
    tokenUrl: auth.tokenUrl('strict-rfc'),
    clientId,
    clientSecret,
    apiOrigin: api.url,
  });
  const cold = await burst(contender.get, 100);
  auth.control.revokeAll();
  const storm = await burst(contender.get, 100);
  const forbidden = await burst(contender.get, 1, '/forbidden');
  const apiBefore = api.counters.total;
  const always401 = await burst(contender.get, 1, '/always-401');
  const always401ApiRequests = api.counters.total - apiBefore;
  await contender.close();
  console.log(
    JSON.stringify(
      { id: spec.id, cold, storm, forbidden, always401, always401ApiRequests },
      null,
      1,
    ),
  );
}
await Promise.all([auth.close(), api.close()]);
