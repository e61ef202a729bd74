/**
 * Adapter overhead: the same requests at concurrency 32 against a loopback API with the
 * token already cached, adapter vs its bare client with a static header, alternating
 * rounds in one process; the median throughput ratio (goal >= 0.95).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface OverheadResult {
  name: string;
  bare: number;
  adapter: number;
  ratio: number;
}

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

async function throughput(call: () => Promise<unknown>, requests: number, concurrency: number) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) await call();
    }),
  );
  return requests / ((performance.now() - started) / 1000);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function overhead(
  name: string,
  bare: () => Promise<unknown>,
  adapter: () => Promise<unknown>,
  { requests = 4000, concurrency = 32, rounds = 9 } = {},
): Promise<OverheadResult> {
  await throughput(bare, 1000, concurrency); // warm both: sockets, JIT
  await throughput(adapter, 1000, concurrency);
  const b: number[] = [];
  const a: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    const x = first ? await throughput(bare, requests, concurrency) : 0;
    const y = await throughput(adapter, requests, concurrency);
    const z = first ? x : await throughput(bare, requests, concurrency);
    b.push(z);
    a.push(y);
    ratios.push(y / z);
  }
  return { name, bare: median(b), adapter: median(a), ratio: median(ratios) };
}
