/**
 * The demo's story for one adapter and one vendor, checked as it goes: the first call
 * fetches a token, the next calls reuse it, a revoke-all costs one 401, one refresh and one
 * replay, a token nearing expiry is refreshed ahead while calls go on, a 403 passes through
 * untouched, and a second tenant gets its own token from the same client.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createTokenProvider, type TokenEvent } from '@m2m-auth/core';
import type { AuthServer, ResourceServer } from '@m2m-auth/test-utils';
import { type AdapterName, demoClient } from './clients.ts';
import type { DemoVendor } from './vendors.ts';

/** Short enough to watch a refresh-ahead happen: refreshed after ~1.1 s, stale at 1.5 s. */
const SHORT_LIFETIME_S = 2;

export interface StoryRow {
  adapter: AdapterName;
  vendor: string;
  requests: number;
  tokenRequests: number;
  /** 401s the API answered (each one replayed once by the adapter). */
  unauthorized: number;
  refreshedAhead: number;
  /** The steps that did not behave as they must; empty when the row is right. */
  wrong: string[];
  /** The story, one line per step, for printing. */
  lines: string[];
}

export async function runStory(
  adapter: AdapterName,
  vendor: DemoVendor,
  servers: { auth: AuthServer; api: ResourceServer },
): Promise<StoryRow> {
  const { auth, api } = servers;
  auth.stats.reset();
  auth.control.resetLifetimes();
  api.reset();
  const events: TokenEvent[] = [];
  const tokens = createTokenProvider({
    tokenUrl: auth.tokenUrl(vendor.profile),
    ...vendor.options,
    onEvent: (event) => events.push(event),
  });
  const client = demoClient(adapter, tokens, api.url);
  let requests = 0;
  const errors: string[] = [];
  // An adapter that throws is a wrong row, not a crash of the whole demo: status 0.
  const call = async (path: string, scope?: string) => {
    requests++;
    try {
      return await client.call(path, scope);
    } catch (error) {
      errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return 0;
    }
  };
  const all200 = (statuses: number[]) => statuses.every((s) => s === 200);
  // Counted as a user sees them: tokens issued (a DPoP nonce round trip issues none) and 401s
  // for a bad token (a DPoP nonce challenge is not one, and costs no token).
  const tokensIssued = () => auth.stats.issued;
  const unauthorized = () =>
    api.requests.filter((r) => r.status === 401 && r.dpop?.outcome !== 'use_dpop_nonce').length;
  const fetched = (ahead: boolean) =>
    events.filter((e) => e.type === 'token_fetched' && e.refreshedAhead === ahead).length;
  const lines = [`${adapter} x ${vendor.name} (${vendor.quirk})`];
  const wrong: string[] = [];
  const step = (label: string, outcome: string, right: boolean) => {
    const mark = right ? '' : '   <-- WRONG';
    lines.push(
      `  ${label.padEnd(24)} ${outcome.padEnd(66)} tokens issued: ${tokensIssued()}${mark}`,
    );
    if (!right) wrong.push(label);
  };

  const first = await call('/echo/first');
  const { expiresAt } = await tokens.getToken(); // cached by the call above: no request
  const lifetime = Math.round((expiresAt - Date.now()) / 1000);
  step(
    '1. first call',
    `${first}, fetched a token that lives ${lifetime} s`,
    first === 200 && tokensIssued() === 1,
  );

  if (vendor.options.dpop) {
    const challenged = (records: ReadonlyArray<{ dpop?: { outcome: string } | undefined }>) =>
      records.filter((r) => r.dpop?.outcome === 'use_dpop_nonce').length;
    const [atToken, atApi] = [challenged(auth.stats.requests), challenged(api.requests)];
    step(
      '   DPoP nonces',
      `asked for by the token endpoint ${atToken}x and the API ${atApi}x, answered with proofs`,
      first === 200 && atToken === 1 && atApi === 1,
    );
  }

  const again = await Promise.all(Array.from({ length: 9 }, (_, i) => call(`/echo/again/${i}`)));
  step(
    '2. 9 more calls',
    `200 x ${again.filter((s) => s === 200).length}, all on the cached token`,
    all200(again) && tokensIssued() === 1,
  );

  auth.control.setLifetime(SHORT_LIFETIME_S, vendor.profile);
  auth.control.revokeAll();
  const revoked = await call('/echo/after-revoke');
  step(
    '3. server revokes all',
    `401, refreshed once, replayed: ${revoked} (new token lives ${SHORT_LIFETIME_S} s)`,
    revoked === 200 && unauthorized() === 1 && tokensIssued() === 2,
  );

  // Calls go on while the 2-second token reaches its refresh point: one refresh runs in the
  // background and no call waits for a token (a waiting call would be a non-ahead fetch).
  const waitedBefore = fetched(false);
  const steady: number[] = [];
  const deadline = Date.now() + 4 * SHORT_LIFETIME_S * 1000;
  while (fetched(true) === 0 && Date.now() < deadline) {
    steady.push(await call(`/echo/steady/${steady.length}`));
    await sleep(40);
  }
  for (let i = 0; i < 3; i++) steady.push(await call(`/echo/steady/${steady.length}`));
  const waited = fetched(false) - waitedBefore;
  step(
    '4. token nearing expiry',
    `200 x ${steady.filter((s) => s === 200).length}, refreshed ahead in the background, ${waited} waited`,
    all200(steady) && fetched(true) === 1 && waited === 0 && unauthorized() === 1,
  );

  const requestsBefore = tokensIssued();
  const forbidden = await call('/forbidden');
  const after403 = await call('/echo/after-403'); // still the same token: nothing was dropped
  step(
    '5. GET /forbidden',
    `${forbidden}, passed through untouched; the token stays (${after403})`,
    forbidden === 403 &&
      after403 === 200 &&
      tokensIssued() === requestsBefore &&
      unauthorized() === 1,
  );

  if (vendor.otherTenant) {
    const other = await call(`/scoped/${vendor.otherTenant}`, vendor.otherTenant);
    const own = await call(`/scoped/${tokens.scope}`);
    const scoped = auth.stats.byScope()[vendor.otherTenant] ?? 0;
    step(
      `6. ${vendor.otherTenant}`,
      `${other}, its own token from the same client; ${tokens.scope} still ${own}`,
      other === 200 && own === 200 && scoped === 1 && tokensIssued() === requestsBefore + 1,
    );
  }

  for (const error of errors) lines.push(`  threw: ${error}   <-- WRONG`);
  if (errors.length > 0) wrong.push('threw');
  return {
    adapter,
    vendor: vendor.name,
    requests,
    tokenRequests: tokensIssued(),
    unauthorized: unauthorized(),
    refreshedAhead: fetched(true),
    wrong,
    lines,
  };
}
