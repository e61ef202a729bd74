/**
 * Adapter overhead: the same requests at concurrency 32 against a loopback API with the
 * token already cached, adapter vs its bare client with a static header, in paired rounds
 * (bench/overhead-child.ts runs one adapter per process; bench/run.ts pools the rounds).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Starts `bench/api-server.ts` (or another server `script` that prints its address on stdout
 * and exits when stdin closes) in a child process; `close()` ends it.
 */
export async function startApi(
  script = new URL('./api-server.ts', import.meta.url),
): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(script)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
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

export interface Round {
  /** Requests per second, wall clock. */
  throughput: number;
  /** CPU time of this (client) process per request, in µs: steadier than wall clock. */
  cpuMicros: number;
}

/** `requests` calls at `concurrency`: requests per second, and client CPU per request. */
export async function run(
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

export interface PairedRound {
  /** Requests per second, bare client and adapter, in the same round. */
  bare: number;
  adapter: number;
  /** Client CPU per request, µs. */
  bareCpu: number;
  adapterCpu: number;
}

/** Paired rounds that alternate which side runs first, so warm-up and drift favour neither. */
export async function overhead(
  bare: () => Promise<unknown>,
  adapter: () => Promise<unknown>,
  { requests = 2000, concurrency = 32, rounds = 11 } = {},
): Promise<PairedRound[]> {
  await run(bare, 1000, concurrency);
  await run(adapter, 1000, concurrency);
  const result: PairedRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? bare : adapter;
    const second = first === bare ? adapter : bare;
    const x = await run(first, requests, concurrency);
    const y = await run(second, requests, concurrency);
    const [b, a] = first === bare ? [x, y] : [y, x];
    result.push({
      bare: b.throughput,
      adapter: a.throughput,
      bareCpu: b.cpuMicros,
      adapterCpu: a.cpuMicros,
    });
  }
  return result;
}
