/**
 * Table 6: heap per cached token when one service serves 10 000 tenant scopes, and what our
 * LRU bound (10 000 entries by default) keeps when there are twice as many. Each row runs in its
 * own process (bench/compare/memory-child.ts) against the test-utils authorization server,
 * whose tokens are ES256 JWTs of about the size vendors issue.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCompareServers } from './servers.ts';

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
export const TENANTS = 10_000;

export interface MemoryRow {
  label: string;
  scopes: number;
  kept: number;
  perToken: number;
}

const VARIANTS = [
  ['m2m-auth', TENANTS, '**m2m-auth**: `forScope()` on one provider, default memory store'],
  ['m2m-auth', TENANTS * 2, '**m2m-auth**, twice as many scopes as the bound'],
  ['openid-client', TENANTS, '`openid-client` + a hand-written cache per scope in a `Map`'],
  ['badgateway', TENANTS, '`@badgateway/oauth2-client`: one `OAuth2Fetch` per scope'],
] as const;

export async function memory(): Promise<MemoryRow[]> {
  const servers = await startCompareServers();
  const { tokenUrl, clientId, clientSecret } = servers.options();
  const rows: MemoryRow[] = [];
  for (const [variant, scopes, label] of VARIANTS) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...process.execArgv, '--expose-gc', CHILD, variant, String(scopes)],
      {
        env: {
          ...process.env,
          TOKEN_URL: tokenUrl,
          CLIENT_ID: clientId,
          CLIENT_SECRET: clientSecret,
        },
      },
    );
    const { perToken, kept } = JSON.parse(stdout) as { perToken: number; kept: number };
    rows.push({ label, scopes, kept, perToken });
    servers.auth.stats.reset(); // the server keeps a record per request
  }
  await servers.close();
  return rows;
}
