/**
 * Adapter overhead: the same requests at concurrency 32 against a loopback API with the
 * token already cached, adapter vs its bare client with a static header, alternating
 * rounds in one process; the median throughput ratio (goal >= 0.95).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Starts `bench/api-server.ts` in a child process; `close()` ends it. */
export async function startApi(): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./api-server.ts', import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

interface Round {
  /** Requests per second, wall clock. */
  throughput: number;
  /** CPU time of this (client) process per request, in µs: steadier than wall clock. */
  cpuMicros: number;
}

async function run(
  call: () => Promise<unknown>,
  requests: number,
  concurrency: number,
): Promise<Round> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) await call();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { throughput: requests / seconds, cpuMicros: (used.user + used.system) / requests };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export interface OverheadResult {
  name: string;
  bare: number;
  adapter: number;
  /** Median over rounds of adapter / bare throughput. */
  ratio: number;
  /** Median over rounds of bare / adapter client CPU per request. */
  cpuRatio: number;
  /** Median client CPU per request of the bare client, µs. */
  bareCpuMicros: number;
}

/** Rounds alternate which side runs first, so warm-up and drift favour neither. */
export async function overhead(
  name: string,
  bare: () => Promise<unknown>,
  adapter: () => Promise<unknown>,
  { requests = 2000, concurrency = 32, rounds = 21 } = {},
): Promise<OverheadResult> {
  await run(bare, 1000, concurrency);
  await run(adapter, 1000, concurrency);
  const b: Round[] = [];
  const a: Round[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      b.push(await run(bare, requests, concurrency));
      a.push(await run(adapter, requests, concurrency));
    } else {
      a.push(await run(adapter, requests, concurrency));
      b.push(await run(bare, requests, concurrency));
    }
  }
  return {
    name,
    bare: median(b.map((r) => r.throughput)),
    adapter: median(a.map((r) => r.throughput)),
    ratio: median(a.map((r, i) => r.throughput / (b[i] as Round).throughput)),
    cpuRatio: median(a.map((r, i) => (b[i] as Round).cpuMicros / r.cpuMicros)),
    bareCpuMicros: median(b.map((r) => r.cpuMicros)),
  };
}
