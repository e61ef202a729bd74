/**
 * Adapter overhead: the same requests at concurrency 32 against a loopback API with the
 * token already cached, adapter vs its bare client with a static header, alternating
 * rounds in one process; the median throughput ratio (goal >= 0.95).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OverheadResult {
  name: string;
  bare: number;
  adapter: number;
  ratio: number;
}

export async function startApi(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
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
  { requests = 4000, concurrency = 32, rounds = 7 } = {},
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
