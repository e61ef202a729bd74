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

/**
 * Paired rounds. Each round runs both sides in `slices` interleaved slices (A B B A ...,
 * the first side alternating by round), and a side's figure for the round is over all its
 * slices: on this shared machine the load drifts within a second, so two back-to-back runs
 * of half a second each differed by more than the few percent being measured.
 */
export async function overhead(
  bare: () => Promise<unknown>,
  adapter: () => Promise<unknown>,
  { requests = 2000, concurrency = 32, rounds = 11, slices = 4 } = {},
): Promise<PairedRound[]> {
  await run(bare, 1000, concurrency);
  await run(adapter, 1000, concurrency);
  const perSlice = Math.ceil(requests / slices);
  const result: PairedRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const sides = [bare, adapter].map((call) => ({ call, seconds: 0, cpuMicros: 0 }));
    for (let slice = 0; slice < slices; slice++) {
      const order = (round + slice) % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const { throughput, cpuMicros } = await run(side.call, perSlice, concurrency);
        side.seconds += perSlice / throughput;
        side.cpuMicros += cpuMicros * perSlice;
      }
    }
    const [b, a] = sides as [(typeof sides)[0], (typeof sides)[0]];
    const calls = perSlice * slices;
    result.push({
      bare: calls / b.seconds,
      adapter: calls / a.seconds,
      bareCpu: b.cpuMicros / calls,
      adapterCpu: a.cpuMicros / calls,
    });
  }
  return result;
}
