/**
 * The demo itself: a local authorization server with every vendor profile and a protected
 * API, on loopback; each adapter runs the story of story.ts against each seed vendor, and a
 * table sums it up. Exits 0 only if every row is right. Each adapter gets its own pair of
 * servers, so the four run side by side and a revoke-all in one never touches another's
 * tokens. Loaded only by `m2m-auth demo`: it needs the packages the CLI does not install.
 */
import {
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import { ExitCode } from '../exit-codes.ts';
import type { Io } from '../io.ts';
import { ADAPTERS } from './clients.ts';
import { runStory, type StoryRow } from './story.ts';
import { securityFirstVendor, VENDORS } from './vendors.ts';

function table(rows: StoryRow[]): string {
  const head =
    '| adapter | vendor | requests | tokens issued | 401s (bad token) | refreshed ahead | result |';
  const body = rows.map(
    (r) =>
      `| ${r.adapter} | ${r.vendor} | ${r.requests} | ${r.tokenRequests} | ${r.unauthorized} | ${r.refreshedAhead} | ${r.wrong.length === 0 ? 'ok' : `WRONG: ${r.wrong.join(', ')}`} |`,
  );
  return [head, '|---|---|---:|---:|---:|---:|---|', ...body].join('\n');
}

export async function runDemo(io: Io): Promise<number> {
  io.stdout.write(
    'A local authorization server and a protected API are starting on 127.0.0.1; each adapter\nnow runs the same story against each vendor.\n\n',
  );
  const started = performance.now();
  // The security-first vendor's client key: its public half is registered for demo-client.
  const key = await generateClientKeys('ES256', 'demo-key');
  const clients = DEFAULT_CLIENTS.map((c) =>
    c.clientId === 'demo-client' ? { ...c, jwks: key.jwks } : c,
  );
  const vendors = [...VENDORS, securityFirstVendor(key.privateJwk)];
  const perAdapter = await Promise.all(
    ADAPTERS.map(async (adapter) => {
      const auth = await startAuthServer({ clients });
      const api = await startResourceServer({ authServer: auth });
      const rows: StoryRow[] = [];
      try {
        for (const vendor of vendors) {
          const row = await runStory(adapter, vendor, { auth, api });
          io.stdout.write(`${row.lines.join('\n')}\n\n`);
          rows.push(row);
        }
      } finally {
        await Promise.all([auth.close(), api.close()]);
      }
      return rows;
    }),
  );
  const rows = perAdapter.flat();
  const right = rows.every((r) => r.wrong.length === 0);
  io.stdout.write(`${table(rows)}\n\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  io.stdout.write(
    right
      ? `All ${rows.length} rows right, in ${seconds} s: one token per client and scope, one refresh per revocation, refresh ahead of expiry, 403 untouched.\n`
      : `Some rows are WRONG (see above): the demo failed.\n`,
  );
  return right ? ExitCode.OK : ExitCode.DEMO_FAILED;
}
