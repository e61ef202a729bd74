/**
 * Section 13: grpc-js with grpcAuth vs grpc-js with static `authorization` metadata, and vs
 * what a user writes without us (per-call call credentials whose generator hands out a
 * cached token). Each comparison runs in fresh processes (bench/grpc-overhead-child.ts),
 * round-robin, the rounds pooled (pooled-rounds.ts), as table 4 does.
 */
import { type PooledSummary, pooledRounds, summarize } from './pooled-rounds.ts';

const PROCESSES = 6;
const CASES: ReadonlyArray<readonly [id: string, label: string]> = [
  ['control', 'control: static metadata vs the same (harness noise)'],
  ['hand', 'hand-written call credentials vs static metadata'],
  ['ours', '**grpcAuth** vs static metadata'],
  ['ours-hand', '**grpcAuth** vs hand-written call credentials'],
];

/** Table 13, and the CPU per call of static metadata over the channel (for table 7). */
export async function grpcOverhead(): Promise<{ markdown: string; staticCpuMicros: number }> {
  const rounds = await pooledRounds(
    new URL('./grpc-overhead-child.ts', import.meta.url),
    CASES.map(([id]) => id),
    PROCESSES,
  );
  const rows = CASES.map(([id, label]) => ({ id, label, ...summarize(rounds.get(id) ?? []) }));
  const ours = rows.find((r) => r.id === 'ours') as PooledSummary;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const staticCpuMicros = (rows.find((r) => r.id === 'control') as PooledSummary).bareCpuMicros;
  const markdown = `## 13. m2m-auth: grpc-js with grpcAuth vs static metadata

Unary calls (JSON messages) at concurrency 32 to a loopback grpc-js server in another
process, the token cached; paired rounds of 4 000 calls a side that alternate which side
goes first, each side on its own channel. Each row runs in ${PROCESSES} fresh processes, round-robin with
the other rows, the rounds pooled (as in table 4). Static metadata sets \`authorization\` in
each call's metadata; hand-written is what a user writes without us (an interceptor giving
each call credentials whose generator hands out the cached token: grpc-js shows a call's host
to call credentials alone); grpcAuth does that through core (the generator begins the
attempt with core, and a unary answer is held until its status for the replay). In each row
the side named first is measured against the baseline named second: throughput ratio =
measured / baseline calls/s, median and interquartile range over rounds; client CPU ratio =
baseline / measured CPU per call. Goal: grpcAuth >= 0.95 of static metadata.

| comparison | rounds | baseline calls/s | measured calls/s | throughput ratio (IQR) | client CPU per call, baseline / measured | client CPU ratio |
|---|---:|---:|---:|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.label} | ${r.rounds} | ${fmt(r.bare)} | ${fmt(r.measured)} | **${r.ratio.toFixed(3)}** (${r.q1.toFixed(3)}–${r.q3.toFixed(3)}) | ${r.bareCpuMicros.toFixed(1)} / ${r.measuredCpuMicros.toFixed(1)} µs | ${r.cpuRatio.toFixed(3)} |`,
  )
  .join('\n')}

Goal (grpcAuth >= 0.95 of static metadata): ${ours.ratio >= 0.95 ? 'met' : 'missed'} (${ours.ratio.toFixed(3)}).
`;
  return { markdown, staticCpuMicros };
}
