/**
 * Markdown for the comparison tables (1-6 of bench/RESULTS.md). A figure at the physical limit
 * (one token request; no failure, no wait, no 401) is bold; the goal column says whether each
 * row of ours meets it.
 */

import type { PooledSummary } from '../pooled-rounds.ts';
import type { BurstRow } from './bursts.ts';
import { COLD_BURSTS, STORM_CALLS } from './bursts.ts';
import type { ExpiryRow } from './expiry-under-load.ts';
import { LIFETIME_S, LIFETIMES, RATE, TOKEN_DELAY_MS } from './expiry-under-load.ts';
import type { FleetRow } from './fleet.ts';
import { FLEET_CALLS, FLEET_SIZE } from './fleet.ts';
import type { MemoryRow } from './memory.ts';
import { TENANTS } from './memory.ts';

export interface OverheadRow extends PooledSummary {
  id: string;
  label: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
/** Bold when at the limit. */
const at = (value: number, limit: number) => (value === limit ? `**${value}**` : String(value));

export function burstTables(rows: readonly BurstRow[]): string {
  return `## 1. Cold burst: token requests for concurrent calls on a cold client

${COLD_BURSTS.map(fmt).join(', ')} concurrent GETs on a client with no token yet (a fresh client per
cell). Physical limit: 1 token request, 0 failed.

| library | ${COLD_BURSTS.map((n) => `${fmt(n)} calls`).join(' | ')} | failed calls |
|---|${COLD_BURSTS.map(() => '---:').join('|')}|---:|
${rows
  .map(
    (r) =>
      `| ${r.label} | ${r.cold.map((c) => at(c.tokenRequests, 1)).join(' | ')} | ${at(
        r.cold.reduce((sum, c) => sum + c.failed, 0),
        0,
      )} |`,
  )
  .join('\n')}

## 2. Revocation storm

One warm-up call, then every token is revoked and ${STORM_CALLS} concurrent GETs each meet a 401: from
the API directly (all 401s within a few ms), and through a proxy that holds the API's answers
for 0-99 ms (bench/compare/slow-proxy.ts), so that most 401s arrive after the first refresh
has finished, as they do when an API is slower than its token endpoint. Physical limit: 1
token request, 0 failed.

| library | token requests | failed calls | API 0-99 ms: token requests | API 0-99 ms: failed calls |
|---|---:|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.label} | ${at(r.storm.tokenRequests, 1)} | ${at(r.storm.failed, 0)} | ${at(r.slowStorm.tokenRequests, 1)} | ${at(r.slowStorm.failed, 0)} |`,
  )
  .join('\n')}
`;
}

export function expiryTable(rows: readonly ExpiryRow[]): string {
  return `## 3. Expiry under load

All libraries side by side in one process, each with its own client id, ${RATE} GETs a second
(open loop) for ${LIFETIMES} lifetimes of a ${LIFETIME_S}-second token; the token endpoint answers after
${TOKEN_DELAY_MS} ms. Counted after each library's first call: calls that waited on the token endpoint
(slower than ${TOKEN_DELAY_MS / 2} ms), 401s the API sent to that client, failed calls, and latency. Limit:
0, 0, 0 and the bare client's latency.

| library | calls | waited on the token endpoint | 401s from expiry | failed | p50 ms | p99 ms |
|---|---:|---:|---:|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.label} | ${r.calls} | ${at(r.waited, 0)} | ${at(r.expired401s, 0)} | ${at(r.failed, 0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
  )
  .join('\n')}
`;
}

export function overheadTable(rows: readonly OverheadRow[], processes: number): string {
  return `## 4. Overhead with a cached token

Each library against its own bare client sending a static \`Authorization\` header: 2 000 GETs at
concurrency 32 to a loopback API in its own process, in paired rounds that alternate which side
goes first. Each row runs in ${processes} fresh processes (one library per process, so no other
library's JIT state or garbage skews it), round-robin with the other rows so machine drift
spreads evenly; the rounds are pooled. Throughput ratio = library / bare, median and
interquartile range over rounds; client CPU ratio = bare / library CPU per request
(\`process.cpuUsage()\`). The control row (bare vs bare) shows what noise alone does.
Goal for ours: median throughput ratio >= 0.95.

| library | rounds | bare req/s | library req/s | throughput ratio (IQR) | client CPU ratio |
|---|---:|---:|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.label} | ${r.rounds} | ${fmt(r.bare)} | ${fmt(r.measured)} | **${r.ratio.toFixed(3)}** (${r.q1.toFixed(3)}–${r.q3.toFixed(3)}) | ${r.cpuRatio.toFixed(3)} |`,
  )
  .join('\n')}
`;
}

export function fleetTable(rows: readonly FleetRow[] | string): string {
  const body =
    typeof rows === 'string'
      ? rows
      : `| library | shared store | cold: token requests | cold: failed | after revoke-all: token requests | after revoke-all: failed |
|---|---|---:|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.label} | ${r.store} | ${at(r.cold.tokenRequests, 1)} | ${at(r.cold.failed, 0)} | ${at(r.revoked.tokenRequests, 1)} | ${at(r.revoked.failed, 0)} |`,
  )
  .join('\n')}`;
  return `## 5. Fleet: ${FLEET_SIZE} processes

${FLEET_SIZE} processes each send ${FLEET_CALLS} concurrent GETs at the same moment, on a cold start and again
after revoke-all (${FLEET_SIZE * FLEET_CALLS} calls each time). Token requests are the whole fleet's.
Physical limit: 1 and 0. A library without a shared store can do no better than ${FLEET_SIZE}.

${body}
`;
}

export function memoryTable(rows: readonly MemoryRow[]): string {
  return `## 6. Memory per cached token

One token cached per tenant scope, ${fmt(TENANTS)} scopes (and twice that for the bound), each row in a
fresh process; heap growth after GC with everything still referenced, per scope. Tokens are
the test-utils ES256 JWTs. Ours also holds the last 1 000 providers \`forScope()\` handed out
(so a hot path that calls it per request rebuilds nothing), and the LRU bound is 10 000 tokens
(\`memoryStore({ maxEntries })\`).

| cache | scopes | tokens kept | heap per scope |
|---|---:|---:|---:|
${rows.map((r) => `| ${r.label} | ${fmt(r.scopes)} | ${fmt(r.kept)} | ${fmt(r.perToken)} B |`).join('\n')}
`;
}

const isOurs = (row: { id: string }) => row.id.startsWith('ours-');
const max = (values: number[]) => Math.max(...values);

interface GoalInputs {
  bursts: readonly BurstRow[] | undefined;
  expiry: readonly ExpiryRow[] | undefined;
  overhead: readonly OverheadRow[] | undefined;
  fleet: readonly FleetRow[] | string | undefined;
}

/** One line per benchmark: our worst adapter against the goal, and how many others reach it. */
export function goalsTable({ bursts, expiry, overhead, fleet }: GoalInputs): string {
  const lines: string[] = [];
  const line = (name: string, goal: string, ours: string, met: boolean, others: string) =>
    lines.push(`| ${name} | ${goal} | ${ours} | ${met ? 'met' : '**missed**'} | ${others} |`);
  const count = <T>(rows: readonly T[], ok: (row: T) => boolean) =>
    `${rows.filter(ok).length} of ${rows.length}`;
  if (bursts) {
    const [ours, others] = [bursts.filter(isOurs), bursts.filter((r) => !isOurs(r))];
    const coldOk = (r: BurstRow) => r.cold.every((c) => c.tokenRequests === 1 && c.failed === 0);
    const cold = max(ours.flatMap((r) => r.cold.map((c) => c.tokenRequests)));
    const coldFailed = max(ours.flatMap((r) => r.cold.map((c) => c.failed)));
    line(
      '1. cold burst',
      '1 token request, 0 failed',
      `${cold}, ${coldFailed}`,
      ours.every(coldOk),
      count(others, coldOk),
    );
    const stormOk = (r: BurstRow) =>
      [r.storm, r.slowStorm].every((s) => s.tokenRequests === 1 && s.failed === 0);
    const storm = max(ours.flatMap((r) => [r.storm.tokenRequests, r.slowStorm.tokenRequests]));
    const stormFailed = max(ours.flatMap((r) => [r.storm.failed, r.slowStorm.failed]));
    line(
      '2. revocation storm (both)',
      '1 token request, 0 failed',
      `${storm}, ${stormFailed}`,
      ours.every(stormOk),
      count(others, stormOk),
    );
  }
  if (expiry) {
    const rows = expiry.filter((r) => r.id !== 'bare');
    const [ours, others] = [rows.filter(isOurs), rows.filter((r) => !isOurs(r))];
    const ok = (r: ExpiryRow) => r.waited === 0 && r.expired401s === 0 && r.failed === 0;
    const bare = expiry.find((r) => r.id === 'bare');
    line(
      '3. expiry under load',
      '0 waits, 0 401s, 0 failed; p99 of the bare client',
      `${max(ours.map((r) => r.waited))}, ${max(ours.map((r) => r.expired401s))}, ${max(ours.map((r) => r.failed))}; p99 ${max(ours.map((r) => r.p99)).toFixed(1)} ms (bare ${bare?.p99.toFixed(1)} ms)`,
      ours.every(ok),
      count(others, ok),
    );
  }
  if (overhead) {
    const rows = overhead.filter((r) => r.id !== 'control');
    const [ours, others] = [rows.filter(isOurs), rows.filter((r) => !isOurs(r))];
    const worst = Math.min(...ours.map((r) => r.ratio));
    line(
      '4. overhead',
      'throughput ratio >= 0.95',
      worst.toFixed(3),
      worst >= 0.95,
      count(others, (r) => r.ratio >= 0.95),
    );
  }
  if (fleet && typeof fleet !== 'string') {
    const ours = fleet.filter((r) => r.store === 'Redis' && r.label.includes('m2m-auth'));
    const others = fleet.filter((r) => !r.label.includes('m2m-auth'));
    const ok = (r: FleetRow) =>
      [r.cold, r.revoked].every((s) => s.tokenRequests === 1 && s.failed === 0);
    const requests = max(ours.flatMap((r) => [r.cold.tokenRequests, r.revoked.tokenRequests]));
    const failed = max(ours.flatMap((r) => [r.cold.failed, r.revoked.failed]));
    line(
      `5. fleet of ${FLEET_SIZE}, with Redis`,
      '1 token request, 0 failed (cold and after revoke-all)',
      `${requests}, ${failed}`,
      ours.every(ok),
      count(others, ok),
    );
  }
  return `## Where m2m-auth stands

Our goal for every benchmark, the worst of our four adapters, and how many of the
alternatives' rows reach the same goal (details in the tables below).

| benchmark | goal | m2m-auth, worst adapter | met | alternatives meeting it |
|---|---|---|---|---|
${lines.join('\n')}
`;
}
