/**
 * One grpc comparison of table 13 in a fresh process: `node bench/grpc-overhead-child.ts <case>`
 * prints paired rounds as JSON (http-overhead.ts' `overhead`), each side on its own channel
 * (grpc-sides.ts). Cases, baseline first:
 *   control    static metadata vs the same (harness noise)
 *   hand       static metadata vs hand-written call credentials over a cached token
 *   ours       static metadata vs grpcAuth
 *   ours-hand  hand-written call credentials vs grpcAuth
 */
import { type Side, startGrpcSides } from './grpc-sides.ts';
import { overhead } from './http-overhead.ts';

const id = process.argv[2] ?? '';
const grpc = await startGrpcSides();
const { sides } = grpc;
const pairs: Record<string, [Side, Side] | undefined> = {
  control: [sides.static, sides.static],
  hand: [sides.static, sides.hand],
  ours: [sides.static, sides.ours],
  'ours-hand': [sides.hand, sides.ours],
};
const pair = pairs[id];
if (!pair) throw new Error(`grpc-overhead-child: unknown case ${JSON.stringify(id)}`);
const [baseline, measured] = pair;
const rounds = await overhead(baseline(), measured(), {
  requests: 4000,
  concurrency: 32,
  rounds: 8,
});
await grpc.close();
process.stdout.write(`${JSON.stringify(rounds)}\n`);
