/**
 * The sides the grpc benches compare (tables 13 and grpc-interleaved.ts), each a unary call
 * on a channel of its own to a loopback grpc-js server in another process, the token cached:
 *   static  `authorization` set in each call's metadata
 *   hand    what a user writes without us: an interceptor giving each call credentials whose
 *           generator hands out the cached token (grpc-js shows a call's host there alone)
 *   ours    grpcAuth
 */
import {
  credentials,
  InterceptingCall,
  type Interceptor,
  Metadata,
  makeGenericClientConstructor,
} from '@grpc/grpc-js';
import { createTokenProvider, type TokenProvider } from '@m2m-auth/core';
import { grpcAuth } from '@m2m-auth/grpc';
import { benchService } from './grpc-service.ts';
import { startApi } from './http-overhead.ts';
import { startTokenServer } from './token-server.ts';

interface BenchClient {
  get(
    request: unknown,
    metadata: Metadata,
    callback: (error: Error | null, response?: unknown) => void,
  ): void;
  close(): void;
}

export type SideName = 'static' | 'hand' | 'ours';
/** Makes a client on a channel of its own; the function it returns makes one call. */
export type Side = () => () => Promise<unknown>;

export interface GrpcSides {
  readonly sides: Readonly<Record<SideName, Side>>;
  close(): Promise<void>;
}

export async function startGrpcSides(): Promise<GrpcSides> {
  const api = await startApi(new URL('./grpc-api-server.ts', import.meta.url));
  const tokens = await startTokenServer(0);
  const provider: TokenProvider = createTokenProvider({
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
  const staticMetadata = () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${accessToken}`);
    return metadata;
  };
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
  return {
    sides: {
      static: () => call([], staticMetadata),
      hand: () => call([handWritten], () => new Metadata()),
      ours: () => call([grpcAuth(provider)], () => new Metadata()),
    },
    async close() {
      for (const client of clients) client.close();
      await Promise.all([api.close(), tokens.close()]);
    },
  };
}
