/**
 * A finer look than table 13 at grpcAuth's cost over a real channel, for judging a few
 * percent: `node --conditions=@m2m-auth/source bench/grpc-interleaved.ts [chunks]` runs
 * static metadata, hand-written call credentials and grpcAuth in one process, in `chunks`
 * (default 100) rounds of 1 000 calls a side at concurrency 32 whose order reverses every
 * round, and prints each side's calls per second and client CPU per call over all its
 * chunks, against static metadata. Not part of `npm run bench` (about a minute).
 */
import { type SideName, startGrpcSides } from './grpc-sides.ts';
import { run } from './http-overhead.ts';

const CHUNK = 1000;
const CONCURRENCY = 32;
const chunks = Number(process.argv[2] ?? 100);
const names: SideName[] = ['static', 'hand', 'ours'];

const grpc = await startGrpcSides();
const calls = names.map((name) => ({ name, call: grpc.sides[name](), seconds: 0, cpu: 0 }));
for (const side of calls) await run(side.call, 2 * CHUNK, CONCURRENCY);
for (let round = 0; round < chunks; round++) {
  for (const side of round % 2 === 0 ? calls : [...calls].reverse()) {
    const { throughput, cpuMicros } = await run(side.call, CHUNK, CONCURRENCY);
    side.seconds += CHUNK / throughput;
    side.cpu += cpuMicros * CHUNK;
  }
}
await grpc.close();
const total = chunks * CHUNK;
const [base] = calls as [(typeof calls)[0]];
console.log(`${chunks} chunks of ${CHUNK} calls a side, concurrency ${CONCURRENCY}`);
for (const side of calls) {
  const throughput = total / side.seconds;
  const cpu = side.cpu / total;
  console.log(
    `${side.name.padEnd(7)} ${Math.round(throughput)} calls/s, ${cpu.toFixed(1)} µs CPU per call; ` +
      `throughput ratio ${(base.seconds / side.seconds).toFixed(3)}, CPU ratio ${(base.cpu / side.cpu).toFixed(3)}`,
  );
}
