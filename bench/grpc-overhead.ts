/**
 * Section 13: grpc-js with grpcAuth vs grpc-js with static `authorization` metadata, and vs
 * what a user writes without us (per-call call credentials whose generator hands out a
 * cached token), the same unary calls at concurrency 32 to a loopback gRPC server in another
 * process, the token cached, in paired rounds (http-overhead.ts' `overhead`). Each side has
 * its own channel.
 */
import {
  credentials,
  InterceptingCall,
  type Interceptor,
  Metadata,
  makeGenericClientConstructor,
} from '@grpc/grpc-js';
import { createTokenProvider } from '@m2m-auth/core';
import { grpcAuth } from '@m2m-auth/grpc';
import { benchService } from './grpc-service.ts';
import { overhead, startApi } from './http-overhead.ts';
import { startTokenServer } from './token-server.ts';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};

interface BenchClient {
  get(
    request: unknown,
    metadata: Metadata,
    callback: (error: Error | null, response?: unknown) => void,
  ): void;
  close(): void;
}

export async function grpcOverhead(): Promise<string> {
  const api = await startApi(new URL('./grpc-api-server.ts', import.meta.url));
  const tokens = await startTokenServer(0);
  const provider = createTokenProvider({
    tokenUrl: tokens.tokenUrl,
    clientId: 'bench',
    clientSecret: 'bench-secret',
  });
  const { accessToken } = await provider.getToken();
  const Client = makeGenericClientConstructor(benchService, 'Things') as unknown as new (
    address: string,
    creds: ReturnType<typeof credentials.createInsecure>,
    options?: object,
  ) => BenchClient;
  const bareClient = new Client(api.url, credentials.createInsecure());
  const ourClient = new Client(api.url, credentials.createInsecure(), {
    interceptors: [grpcAuth(provider)],
  });
  // Without us: call credentials of the call's own, a generator over the cached token (the
  // only way grpc-js shows the host), as a hand-written token interceptor does it.
  const handWritten: Interceptor = (options, nextCall) =>
    new InterceptingCall(
      nextCall({
        ...options,
        credentials: credentials.createFromMetadataGenerator((_params, callback) => {
          provider.getToken().then(({ accessToken: token }) => {
            const metadata = new Metadata();
            metadata.set('authorization', `Bearer ${token}`);
            callback(null, metadata);
          }, callback);
        }),
      }),
    );
  const credsClient = new Client(api.url, credentials.createInsecure(), {
    interceptors: [handWritten],
  });
  const call = (client: BenchClient, metadata: () => Metadata) => () =>
    new Promise((resolve, reject) =>
      client.get({ id: 1 }, metadata(), (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  const bare = call(bareClient, () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${accessToken}`);
    return metadata;
  });
  const ours = call(ourClient, () => new Metadata());
  const generated = call(credsClient, () => new Metadata());
  const shape = { requests: 4000, concurrency: 32, rounds: 15 };
  const rounds = await overhead(bare, ours, shape);
  const against = await overhead(generated, ours, shape);
  bareClient.close();
  ourClient.close();
  credsClient.close();
  await api.close();
  await tokens.close();

  const ratios = rounds.map((r) => r.adapter / r.bare);
  const ratio = median(ratios);
  const cpuRatio = median(rounds.map((r) => r.bareCpu / r.adapterCpu));
  const handRatios = against.map((r) => r.adapter / r.bare);
  const handCpu = median(against.map((r) => r.bareCpu / r.adapterCpu));
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const spread = (values: number[]) =>
    `quartiles ${quantile(values, 0.25).toFixed(3)}-${quantile(values, 0.75).toFixed(3)}`;
  return `## 13. m2m-auth: grpc-js with grpcAuth vs static metadata

Unary calls (JSON messages) at concurrency 32 to a loopback grpc-js server in another
process, the token cached; ${rounds.length} paired rounds of 4 000 calls against each baseline,
alternating which side goes first. The bare side sets \`authorization\` in each call's
metadata; the hand-written side is what a user writes without us (an interceptor giving each
call credentials whose generator hands out the cached token: grpc-js shows a call's host to
call credentials alone); ours gets it from \`grpcAuth\` (per-call call credentials whose
generator asks core, the answer held until the status for the replay). Goal: throughput
ratio >= 0.95 against static metadata.

| | calls/s (median) | client CPU per call (median) |
|---|---|---|
| grpc-js, static metadata | ${fmt(median(rounds.map((r) => r.bare)))} | ${median(rounds.map((r) => r.bareCpu)).toFixed(1)} µs |
| grpc-js, hand-written call credentials | ${fmt(median(against.map((r) => r.bare)))} | ${median(against.map((r) => r.bareCpu)).toFixed(1)} µs |
| grpc-js + grpcAuth | ${fmt(median(rounds.map((r) => r.adapter)))} | ${median(rounds.map((r) => r.adapterCpu)).toFixed(1)} µs |
| **throughput ratio ours / static metadata** | **${ratio.toFixed(3)}** (${spread(ratios)}) ${ratio >= 0.95 ? '(goal met)' : '(goal missed)'} | CPU ratio static / ours ${cpuRatio.toFixed(3)} |
| throughput ratio ours / hand-written | ${median(handRatios).toFixed(3)} (${spread(handRatios)}) | CPU ratio hand-written / ours ${handCpu.toFixed(3)} |
`;
}
