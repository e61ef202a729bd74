/**
 * `npm run bench`: measures and rewrites bench/RESULTS.md. Not part of `npm test`.
 * Against the alternatives (bench/contenders/, each wired as its documentation shows):
 *   1-2. Cold burst and revocation storm: token requests and failed calls.
 *   3. Expiry under load: waits on the token endpoint, 401s, latency.
 *   4. Overhead over real HTTP with a cached token, each library vs its own bare client.
 *   5. Fleet of 8 processes, cold and after revoke-all, with and without a shared store.
 *   6. Heap per cached token for 10 000 tenant scopes.
 * m2m-auth alone: 7. the CPU each adapter adds without the network; 8. the hot path;
 * 9-10. the fleet over time and the Redis store's latency; 11. test-utils start-up;
 * 12. 64 processes on one Redis: token requests per window, Redis commands per request;
 * 13. grpc-js with grpcAuth vs static metadata.
 * `npm run bench -- <section numbers>` runs only those and prints them without writing the file.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createTokenProvider } from '@m2m-auth/core';
import { startAuthServer, startOtherOrigin, startResourceServer } from '@m2m-auth/test-utils';
import type { adapterCost } from './adapter-cost.ts';
import { bursts } from './compare/bursts.ts';
import { expiryUnderLoad } from './compare/expiry-under-load.ts';
import { fleet } from './compare/fleet.ts';
import { memory } from './compare/memory.ts';
import {
  burstTables,
  expiryTable,
  fleetTable,
  goalsTable,
  memoryTable,
  type OverheadRow,
  overheadTable,
} from './compare/report.ts';
import { contenders, overheadOnly } from './contenders/index.ts';
import { fleetBench } from './fleet.ts';
import { grpcOverhead } from './grpc-overhead.ts';
import { largeFleetBench } from './large-fleet.ts';
import { childJson, median, pooledRounds, summarize } from './pooled-rounds.ts';
import { startTokenServer } from './token-server.ts';

const ROUNDS = 7;
const CALLS_PER_ROUND = 200_000;

async function opsPerSecond(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS_PER_ROUND; i++) await call();
  return CALLS_PER_ROUND / ((performance.now() - started) / 1000);
}

async function hotPath() {
  const server = await startTokenServer(0);
  const provider = createTokenProvider({
    tokenUrl: server.tokenUrl,
    clientId: 'bench',
    clientSecret: 'bench-secret',
  });
  await provider.getToken();
  const map = new Map([['key', { accessToken: 'x' }]]);
  const baseline = async () => map.get('key');
  const ours = () => provider.getToken();
  await opsPerSecond(baseline); // warm-up both
  await opsPerSecond(ours);
  const base: number[] = [];
  const provided: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const b = await opsPerSecond(baseline);
    const p = await opsPerSecond(ours);
    base.push(b);
    provided.push(p);
    ratios.push(b / p);
  }
  await server.close();
  return {
    baseline: median(base),
    provider: median(provided),
    ratio: median(ratios),
    requests: server.requests,
  };
}

async function coldBurst(callers: number) {
  const server = await startTokenServer(20);
  const provider = createTokenProvider({
    tokenUrl: server.tokenUrl,
    clientId: 'bench',
    clientSecret: 'bench-secret',
  });
  const tokens = await Promise.all(Array.from({ length: callers }, () => provider.getToken()));
  const distinct = new Set(tokens.map((t) => t.accessToken)).size;
  await server.close();
  return { callers, requests: server.requests, distinct };
}

/** Start-up of the test-utils servers a test file needs (goal: well under 100 ms). */
async function serverStartup() {
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    const auth = await startAuthServer();
    const api = await startResourceServer({ authServer: auth });
    const other = await startOtherOrigin();
    times.push(performance.now() - started);
    await Promise.all([auth.close(), api.close(), other.close()]);
  }
  return median(times);
}

/** Table 7's rows, measured in a fresh process (bench/adapter-cost-child.ts). */
const adapterCpu = () =>
  childJson<Awaited<ReturnType<typeof adapterCost>>>(
    new URL('./adapter-cost-child.ts', import.meta.url),
  );

const OVERHEAD_PROCESSES = 4;
const OVERHEAD_CASES: ReadonlyArray<readonly [id: string, label: string]> = [
  ['control', 'control: bare `fetch` vs the same (harness noise)'],
  ...[...contenders, ...overheadOnly].map(
    (c) => [c.id, `${c.label} vs bare \`${c.client}\``] as const,
  ),
];

/** Each case in fresh processes, round-robin so drift spreads evenly; the rounds pooled. */
async function adapterOverhead(): Promise<OverheadRow[]> {
  const ids = OVERHEAD_CASES.map(([id]) => id);
  const rounds = await pooledRounds(
    new URL('./overhead-child.ts', import.meta.url),
    ids,
    OVERHEAD_PROCESSES,
  );
  return OVERHEAD_CASES.map(([id, label]) => ({ id, label, ...summarize(rounds.get(id) ?? []) }));
}

const wanted = new Set(process.argv.slice(2).map(Number));
const want = (section: number) => wanted.size === 0 || wanted.has(section);
const sections: string[] = [];

const burstRows = want(1) || want(2) ? await bursts(contenders) : undefined;
const expiryRows = want(3) ? await expiryUnderLoad(contenders) : undefined;
const overheadRows = want(4) || want(7) ? await adapterOverhead() : [];
const grpcRows = want(7) || want(13) ? await grpcOverhead() : undefined;
const fleetRows = want(5) ? await fleet(contenders) : undefined;
const memoryRows = want(6) ? await memory() : undefined;
sections.push(
  goalsTable({
    bursts: burstRows,
    expiry: expiryRows,
    overhead: want(4) ? overheadRows : undefined,
    fleet: fleetRows,
  }),
);
if (burstRows) sections.push(burstTables(burstRows));
if (expiryRows) sections.push(expiryTable(expiryRows));
if (want(4)) sections.push(overheadTable(overheadRows, OVERHEAD_PROCESSES));
if (fleetRows) sections.push(fleetTable(fleetRows));
if (memoryRows) sections.push(memoryTable(memoryRows));

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

if (want(7)) {
  const costs = await adapterCpu();
  sections.push(`## 7. m2m-auth: CPU an adapter adds per request, without the network

Each client with a transport that answers at once (50 000 sequential calls, median of 7 rounds),
adapter vs a static header, in a fresh process (bench/adapter-cost-child.ts); "real" is the bare client's CPU per request over HTTP in table 4
(for grpc, static metadata's CPU per call over a loopback channel in table 13).
got has no transport to swap, so it is measured over HTTP only (table 4).

| client | bare call, no network | added by the adapter | bare client CPU per real request | estimated ratio |
|---|---:|---:|---:|---:|
${costs
  .map((c) => {
    const client = c.name.split(',')[0];
    const real =
      client === 'grpc'
        ? (grpcRows?.staticCpuMicros ?? Number.NaN)
        : (overheadRows.find((r) => r.id === `ours-${client}`)?.bareCpuMicros ?? Number.NaN);
    const estimate = real / (real + c.addedMicros);
    return `| ${c.name} | ${c.bareMicros.toFixed(2)} µs | ${c.addedMicros.toFixed(2)} µs | ${real.toFixed(1)} µs | ${estimate.toFixed(3)} |`;
  })
  .join('\n')}

The ky reference row is what ky's hook machinery costs by itself (two no-op hooks: ky clones
each response for every \`afterResponse\` hook, a stream tee that over real HTTP cost about a
quarter of the throughput when kyAuth used one). kyAuth therefore replays 401s in ky's
documented \`fetch\` option and uses only a \`beforeRequest\` hook. The estimated ratio is
\`real / (real + added)\`: what the adapter's own CPU does to a CPU-bound client; it is the
steadiest of these figures. Instruction counts under callgrind: bench/INSTRUCTIONS.md
(\`npm run bench:instructions\`).
`);
}

if (want(8)) {
  const hot = await hotPath();
  const cold = [];
  for (const callers of [1, 100, 10_000]) cold.push(await coldBurst(callers));
  sections.push(`## 8. m2m-auth: the provider's hot path and cold bursts

Cached \`getToken()\` against an async \`Map.get\`: ${ROUNDS} alternating rounds of ${fmt(CALLS_PER_ROUND)}
sequential awaited calls; medians. Goal: within 3x.

| | calls/s |
|---|---:|
| async \`Map.get\` (baseline) | ${fmt(hot.baseline)} |
| \`provider.getToken()\`, token cached | ${fmt(hot.provider)} |
| **ratio baseline / provider** | **${hot.ratio.toFixed(2)}x** ${hot.ratio <= 3 ? '(goal met)' : '(goal missed)'} |

Token requests during the whole hot-path run: ${hot.requests}. Concurrent \`getToken()\` on a cold
provider (token endpoint answering after 20 ms):

| concurrent callers | token requests | distinct tokens handed out |
|---:|---:|---:|
${cold.map((b) => `| ${fmt(b.callers)} | ${b.requests} | ${b.distinct} |`).join('\n')}
`);
}

if (want(9) || want(10)) sections.push(await fleetBench());

if (want(11)) {
  const startupMs = await serverStartup();
  sections.push(`## 11. test-utils server start-up

\`startAuthServer()\` (ES256 key pair included) + \`startResourceServer()\` + \`startOtherOrigin()\`,
median of 9 starts. Goal: well under 100 ms.

| servers | median start-up |
|---|---:|
| auth + resource + other origin | ${startupMs.toFixed(1)} ms |
`);
}

if (want(12)) sections.push(await largeFleetBench());
if (want(13) && grpcRows) sections.push(grpcRows.markdown);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const results = `# Benchmark results

Written by \`npm run bench\` (\`node --conditions=@m2m-auth/source --expose-gc bench/run.ts\`);
do not edit by hand. Figures are from one run on one machine: compare ratios, not absolutes.
Tables 1-6 put m2m-auth beside what users would pick instead, each library driven as its own
documentation shows (bench/contenders/, one file per library, citing the section); tables 7-13
are about m2m-auth alone. How to read them: bench/README.md.

- Date: ${new Date().toISOString()}
- Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}
- Node: ${process.version}
- Libraries: ${contenders.map((c) => c.label).join('; ')}

${sections.join('\n')}`;
if (wanted.size === 0) writeFileSync(new URL('./RESULTS.md', import.meta.url), results);
console.log(results);
