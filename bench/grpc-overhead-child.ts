/**
 * One grpc comparison of table 13 in a fresh process: `node bench/grpc-overhead-child.ts <case>`
 * prints paired rounds as JSON (http-overhead.ts' `overhead`), each side on its own channel to
 * a loopback grpc-js server in another process, the token cached. Cases, baseline first:
 *   control    static metadata vs the same (harness noise)
 *   hand       static metadata vs hand-written call credentials over a cached token
 *   ours       static metadata vs grpcAuth
 *   ours-hand  hand-written call credentials vs grpcAuth
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

interface BenchClient {
  get(
    request: unknown,
    metadata: Metadata,
    callback: (error: Error | null, response?: unknown) => void,
  ): void;
  close(): void;
}

const id = process.argv[2] ?? '';
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
const clients: BenchClient[] = [];
const call = (interceptors: Interceptor[], metadata: () => Metadata) => {
  const client = new Client(api.url, credentials.createInsecure(), { interceptors });
  clients.push(client);
  return () =>
    new Promise((resolve, reject) =>
      client.get({ id: 1 }, metadata(), (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
};
const staticMetadata = () =>
  call([], () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${accessToken}`);
    return metadata;
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
const side = {
  static: staticMetadata,
  hand: () => call([handWritten], () => new Metadata()),
  ours: () => call([grpcAuth(provider)], () => new Metadata()),
};
type Side = () => () => Promise<unknown>;
const pairs: Record<string, [Side, Side] | undefined> = {
  control: [side.static, side.static],
  hand: [side.static, side.hand],
  ours: [side.static, side.ours],
  'ours-hand': [side.hand, side.ours],
};
const pair = pairs[id];
if (!pair) throw new Error(`grpc-overhead-child: unknown case ${JSON.stringify(id)}`);
const [baseline, measured] = pair;
const rounds = await overhead(baseline(), measured(), {
  requests: 4000,
  concurrency: 32,
  rounds: 8,
});
for (const client of clients) client.close();
await Promise.all([api.close(), tokens.close()]);
process.stdout.write(`${JSON.stringify(rounds)}\n`);
