/**
 * Paired rounds from fresh processes, pooled: each case runs `processes` times in a child of
 * its own (one client per process, so no other client's JIT state or garbage skews it),
 * round-robin with the other cases so machine drift spreads evenly. Tables 4 and 13.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PairedRound } from './http-overhead.ts';

const execFileAsync = promisify(execFile);

export const median = (values: readonly number[]) => quantile(values, 0.5);

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** `node <child> ...args` in a fresh process (this one's flags), its stdout parsed as JSON. */
export async function childJson<T>(child: URL, args: readonly string[] = []): Promise<T> {
  const script = fileURLToPath(child);
  const { stdout } = await execFileAsync(process.execPath, [...process.execArgv, script, ...args]);
  return JSON.parse(stdout) as T;
}

/** `node <child> <id>` for each id, `processes` times round-robin; its stdout is the rounds. */
export async function pooledRounds(
  child: URL,
  ids: readonly string[],
  processes: number,
): Promise<Map<string, PairedRound[]>> {
  const rounds = new Map<string, PairedRound[]>(ids.map((id) => [id, []]));
  for (let run = 0; run < processes; run++) {
    for (const id of ids) rounds.get(id)?.push(...(await childJson<PairedRound[]>(child, [id])));
  }
  return rounds;
}

export interface PooledSummary {
  rounds: number;
  /** Median throughput of each side, per second. */
  bare: number;
  measured: number;
  /** Median and quartiles of measured / bare throughput over the rounds. */
  ratio: number;
  q1: number;
  q3: number;
  /** Median bare / measured CPU per call, and each side's median CPU per call in µs. */
  cpuRatio: number;
  bareCpuMicros: number;
  measuredCpuMicros: number;
}

export function summarize(rounds: readonly PairedRound[]): PooledSummary {
  const ratios = rounds.map((r) => r.adapter / r.bare);
  return {
    rounds: rounds.length,
    bare: median(rounds.map((r) => r.bare)),
    measured: median(rounds.map((r) => r.adapter)),
    ratio: median(ratios),
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    cpuRatio: median(rounds.map((r) => r.bareCpu / r.adapterCpu)),
    bareCpuMicros: median(rounds.map((r) => r.bareCpu)),
    measuredCpuMicros: median(rounds.map((r) => r.adapterCpu)),
  };
}
