/**
 * Section 13: grpc-js with grpcAuth vs grpc-js with static `authorization` metadata, the
 * same unary calls at concurrency 32 to a loopback gRPC server in another process, the token
 * cached, in paired rounds (http-overhead.ts' `overhead`). Each side has its own channel.
 */
import { credentials, Metadata, makeGenericClientConstructor } from '@grpc/grpc-js';
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
  const rounds = await overhead(bare, ours, { requests: 4000, concurrency: 32, rounds: 11 });
  bareClient.close();
  ourClient.close();
  await api.close();
  await tokens.close();

  const ratios = rounds.map((r) => r.adapter / r.bare);
  const ratio = median(ratios);
  const cpuRatio = median(rounds.map((r) => r.bareCpu / r.adapterCpu));
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return `## 13. m2m-auth: grpc-js with grpcAuth vs static metadata

Unary calls (JSON messages) at concurrency 32 to a loopback grpc-js server in another
process, the token cached; ${rounds.length} paired rounds of 4 000 calls, alternating which side goes
first. The bare side sets \`authorization\` in each call's metadata; ours gets it from
\`grpcAuth\` (per-call call credentials whose generator asks core, the answer held until the
status). Goal: throughput ratio >= 0.95.

| | calls/s (median) | client CPU per call (median) |
|---|---|---|
| grpc-js, static metadata | ${fmt(median(rounds.map((r) => r.bare)))} | ${median(rounds.map((r) => r.bareCpu)).toFixed(1)} µs |
| grpc-js + grpcAuth | ${fmt(median(rounds.map((r) => r.adapter)))} | ${median(rounds.map((r) => r.adapterCpu)).toFixed(1)} µs |
| **throughput ratio ours / bare** | **${ratio.toFixed(3)}** (quartiles ${quantile(ratios, 0.25).toFixed(3)}-${quantile(ratios, 0.75).toFixed(3)}) ${ratio >= 0.95 ? '(goal met)' : '(goal missed)'} | CPU ratio bare / ours ${cpuRatio.toFixed(3)} |
`;
}
