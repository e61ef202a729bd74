/**
 * `m2m-auth demo` (and `npm run demo`): a local authorization server with every vendor
 * profile and a protected API, on loopback; each adapter runs the story of demo/story.ts
 * against each seed vendor, and a table sums it up. Exits 0 only if every row is right.
 * Each adapter gets its own pair of servers, so the four run side by side and a revoke-all
 * in one never touches another's tokens.
 */
import {
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import { ADAPTERS } from '../demo/clients.ts';
import { runStory, type StoryRow } from '../demo/story.ts';
import { securityFirstVendor, VENDORS } from '../demo/vendors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../io.ts';

export const DEMO_HELP = `m2m-auth demo: every adapter (fetch, axios, got, ky) against every seed vendor

Starts a local OAuth 2.0 authorization server (the Fenris/Cognito, Fenergo and platform
profiles) and a protected API on 127.0.0.1, then runs each adapter through a short story:
first call fetches a token, the next calls reuse it, a revoke-all costs one 401, one refresh
and one replay, a token nearing expiry is refreshed ahead with no call waiting, a 403 is
passed through, and two tenants share one client. A security-first vendor runs it too, with
private_key_jwt and DPoP-bound tokens. No network, no configuration.

Exit code 0 when every row is right, ${ExitCode.DEMO_FAILED} otherwise.
`;

function table(rows: StoryRow[]): string {
  const head =
    '| adapter | vendor | requests | tokens issued | 401s (bad token) | refreshed ahead | result |';
  const body = rows.map(
    (r) =>
      `| ${r.adapter} | ${r.vendor} | ${r.requests} | ${r.tokenRequests} | ${r.unauthorized} | ${r.refreshedAhead} | ${r.wrong.length === 0 ? 'ok' : `WRONG: ${r.wrong.join(', ')}`} |`,
  );
  return [head, '|---|---|---:|---:|---:|---:|---|', ...body].join('\n');
}

export const demo: Command = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(DEMO_HELP);
    return ExitCode.OK;
  }
  if (args.length > 0) {
    io.stderr.write(`m2m-auth demo: takes no arguments\n\n${DEMO_HELP}`);
    return ExitCode.USAGE;
  }
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
};
