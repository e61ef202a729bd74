/**
 * A real grpc-js server in the test process, with a hand-built service definition (JSON on
 * the wire, no .proto) whose methods accept a call only with `authorization: Bearer <token>`
 * for a token the test-utils authorization server says is valid and unrevoked
 * (`auth.verify`, the check its resource server makes), else UNAUTHENTICATED. It records the
 * `authorization` and deadline of every call it gets, and the status it answered.
 *
 * - `Get` (unary): `{ echo, sub, jti }`;
 * - `List` (server streaming): three `{ i, jti }` messages;
 * - `Upload` (client streaming): `{ count, jti }`, the number of messages it got;
 * - `Chat` (bidirectional): `{ echo, jti }` for each message, then the end;
 * - `Forbidden` (unary): PERMISSION_DENIED for any valid token;
 * - `Echo401` (unary): UNAUTHENTICATED whatever the token, with the `authorization` it got
 *   in the details and in an `x-echo-authorization` trailer (a server that leaks it back);
 * - `Flaky` (unary): with a valid token, UNAVAILABLE the first time it sees a request's
 *   `id`, then as `Get` (for grpc-js' own `retryPolicy`).
 *
 * A DPoP-bound token (`cnf.jkt`) is accepted only as `authorization: DPoP <token>` with a
 * `dpop` proof (RFC 9449 §4.3, checked with jose) signed by that key, for `htm` POST and
 * `htu` `https://<host>/<service>/<method>`, the host without the port (what grpc-js shows).
 * With `requireDpopNonce(nonce)`, a proof must also carry that `nonce` (RFC 9449 §9): one
 * without it is refused with UNAUTHENTICATED and trailers `www-authenticate: DPoP
 * error="use_dpop_nonce"` and `dpop-nonce: <nonce>`, as an HTTP resource server answers.
 * With `{ everyCall: true }` the nonce changes with each challenge (`<nonce>-0`, `-1`, ...),
 * so the nonce a challenge names is already stale when the replay brings it.
 */
import type * as Grpc from '@grpc/grpc-js';
import { type AuthServer, accessTokenHash } from '@m2m-auth/test-utils';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';

type GrpcModule = typeof Grpc;

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
};

const method = (path: string, responseStream: boolean, requestStream = false) => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
});

export const thingsService = {
  get: method('/test.Things/Get', false),
  list: method('/test.Things/List', true),
  upload: method('/test.Things/Upload', false, true),
  chat: method('/test.Things/Chat', true, true),
  forbidden: method('/test.Things/Forbidden', false),
  echo401: method('/test.Things/Echo401', false),
  flaky: method('/test.Things/Flaky', false),
};

export interface CallRecord {
  method: string;
  authorization: string | undefined;
  /** The `:authority` the call came with. */
  authority: string | undefined;
  /** The `dpop` proof's claims, when one came and verified. */
  proof?: Record<string, unknown>;
  /** The call's deadline as the server read it (ms since the epoch), Infinity for none. */
  deadline: number;
  code: number;
  /** The nonce this call was refused for not carrying (a DPoP nonce challenge). */
  challenged?: string;
}

/** What the server's callers see: a client with our methods. */
export interface ThingsClient extends Grpc.Client {
  get(
    request: unknown,
    metadata: Grpc.Metadata,
    options: Grpc.CallOptions,
    callback: (error: Grpc.ServiceError | null, response?: unknown) => void,
  ): Grpc.ClientUnaryCall;
  forbidden: ThingsClient['get'];
  echo401: ThingsClient['get'];
  flaky: ThingsClient['get'];
  list(
    request: unknown,
    metadata: Grpc.Metadata,
    options?: Grpc.CallOptions,
  ): Grpc.ClientReadableStream<unknown>;
  upload(
    metadata: Grpc.Metadata,
    options: Grpc.CallOptions,
    callback: (error: Grpc.ServiceError | null, response?: unknown) => void,
  ): Grpc.ClientWritableStream<unknown>;
  chat(
    metadata: Grpc.Metadata,
    options?: Grpc.CallOptions,
  ): Grpc.ClientDuplexStream<unknown, unknown>;
}

export interface ThingsServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly port: number;
  readonly calls: CallRecord[];
  /** From now on a DPoP proof must carry `nonce`; `undefined` asks for none. */
  requireDpopNonce(nonce: string | undefined, options?: { everyCall?: boolean }): void;
  /** A client constructor for the service, from the same grpc-js as the server. */
  readonly Client: new (
    address: string,
    credentials: Grpc.ChannelCredentials,
    options?: Grpc.ClientOptions,
  ) => ThingsClient;
  close(): Promise<void>;
}

export async function startThingsServer(
  grpc: GrpcModule,
  auth: AuthServer,
  credentials: Grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
): Promise<ThingsServer> {
  const calls: CallRecord[] = [];
  const server = new grpc.Server();
  const flakySeen = new Set<unknown>();
  let dpopNonce: string | undefined;
  let nonceChanges: number | undefined;
  const currentNonce = () =>
    nonceChanges === undefined ? dpopNonce : `${dpopNonce}-${nonceChanges}`;

  /** The token's claims, or the status to end the call with. */
  async function check(
    call: Pick<Grpc.ServerUnaryCall<unknown, unknown>, 'metadata' | 'getDeadline'>,
    name: string,
  ) {
    const authorization = call.metadata.get('authorization');
    const record: CallRecord = {
      method: name,
      authorization: typeof authorization[0] === 'string' ? authorization[0] : undefined,
      authority: call.metadata.get(':authority')[0] as string | undefined,
      deadline: Number(call.getDeadline()),
      code: -1,
    };
    calls.push(record);
    const [, scheme, token] = /^(Bearer|DPoP) (\S+)$/.exec(record.authorization ?? '') ?? [];
    const claims = token && authorization.length === 1 ? await auth.verify(token) : undefined;
    const bound = claims?.cnf?.jkt;
    if (!claims || (scheme === 'DPoP') !== (bound !== undefined)) return { record };
    if (bound === undefined) return { record, claims };
    const proof = await dpopProof(call.metadata.get('dpop'), token as string, name);
    if (!proof || proof.jkt !== bound) return { record };
    record.proof = proof.claims;
    const nonce = currentNonce();
    if (nonce !== undefined && proof.claims['nonce'] !== nonce) {
      record.challenged = nonce;
      if (nonceChanges !== undefined) nonceChanges++;
      return { record };
    }
    return { record, claims };
  }
  async function dpopProof(values: Grpc.MetadataValue[], token: string, name: string) {
    if (values.length !== 1 || typeof values[0] !== 'string') return undefined;
    try {
      const { payload, protectedHeader } = await jwtVerify(values[0], EmbeddedJWK, {
        typ: 'dpop+jwt',
      });
      const host = '127.0.0.1';
      if (payload['htm'] !== 'POST' || payload['htu'] !== `https://${host}/test.Things/${name}`)
        return undefined;
      if (payload['ath'] !== accessTokenHash(token)) return undefined;
      const jkt = await calculateJwkThumbprint(protectedHeader.jwk as never, 'sha256');
      return { jkt, claims: payload as Record<string, unknown> };
    } catch {
      return undefined;
    }
  }
  const refused = (
    record: CallRecord,
    details = 'the token is missing, invalid, expired or revoked',
  ) => {
    record.code = grpc.status.UNAUTHENTICATED;
    if (record.challenged === undefined) return { code: grpc.status.UNAUTHENTICATED, details };
    const metadata = new grpc.Metadata();
    metadata.set('www-authenticate', 'DPoP error="use_dpop_nonce"');
    metadata.set('dpop-nonce', record.challenged);
    return { code: grpc.status.UNAUTHENTICATED, details: 'a DPoP nonce is required', metadata };
  };

  server.addService(thingsService, {
    get(call: Grpc.ServerUnaryCall<unknown, unknown>, callback: Grpc.sendUnaryData<unknown>) {
      void check(call, 'Get').then(({ record, claims }) => {
        if (!claims) return callback(refused(record));
        record.code = grpc.status.OK;
        callback(null, { echo: call.request, sub: claims.sub, jti: claims.jti });
      });
    },
    forbidden(call: Grpc.ServerUnaryCall<unknown, unknown>, callback: Grpc.sendUnaryData<unknown>) {
      void check(call, 'Forbidden').then(({ record, claims }) => {
        if (!claims) return callback(refused(record));
        record.code = grpc.status.PERMISSION_DENIED;
        callback({
          code: grpc.status.PERMISSION_DENIED,
          details: 'the token lacks the scope this method needs',
        });
      });
    },
    echo401(call: Grpc.ServerUnaryCall<unknown, unknown>, callback: Grpc.sendUnaryData<unknown>) {
      void check(call, 'Echo401').then(({ record }) => {
        const trailers = new grpc.Metadata();
        trailers.set('x-echo-authorization', record.authorization ?? '');
        callback({ ...refused(record, `refused ${record.authorization}`), metadata: trailers });
      });
    },
    flaky(call: Grpc.ServerUnaryCall<unknown, unknown>, callback: Grpc.sendUnaryData<unknown>) {
      void check(call, 'Flaky').then(({ record, claims }) => {
        if (!claims) return callback(refused(record));
        const id = (call.request as { id?: unknown }).id;
        if (!flakySeen.has(id)) {
          flakySeen.add(id);
          record.code = grpc.status.UNAVAILABLE;
          return callback({ code: grpc.status.UNAVAILABLE, details: 'try again' });
        }
        record.code = grpc.status.OK;
        callback(null, { echo: call.request, sub: claims.sub, jti: claims.jti });
      });
    },
    list(call: Grpc.ServerWritableStream<unknown, unknown>) {
      void check(call, 'List').then(({ record, claims }) => {
        if (!claims) {
          call.emit('error', refused(record));
          return;
        }
        record.code = grpc.status.OK;
        for (let i = 0; i < 3; i++) call.write({ i, jti: claims.jti });
        call.end();
      });
    },
    upload(
      call: Grpc.ServerReadableStream<unknown, unknown>,
      callback: Grpc.sendUnaryData<unknown>,
    ) {
      // Listening at once: messages may come while the token is being checked.
      let count = 0;
      call.on('data', () => count++);
      const ended = new Promise((resolve) => call.on('end', resolve));
      void check(call, 'Upload').then(async ({ record, claims }) => {
        if (!claims) return callback(refused(record));
        await ended;
        record.code = grpc.status.OK;
        callback(null, { count, jti: claims.jti });
      });
    },
    chat(call: Grpc.ServerDuplexStream<unknown, unknown>) {
      // Each message is answered once the token is checked, in the order it came.
      const checked = check(call, 'Chat');
      void checked.then(({ record, claims }) => {
        if (!claims) call.emit('error', refused(record));
        else record.code = grpc.status.OK;
      });
      call.on('data', (message: unknown) => {
        void checked.then(({ claims }) => claims && call.write({ echo: message, jti: claims.jti }));
      });
      call.on('end', () => void checked.then(({ claims }) => claims && call.end()));
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  // Since grpc-js 1.10 a server serves once bound (start() is deprecated).
  const Client = grpc.makeGenericClientConstructor(
    thingsService,
    'Things',
  ) as unknown as ThingsServer['Client'];
  return {
    address: `127.0.0.1:${port}`,
    port,
    calls,
    requireDpopNonce: (nonce, options) => {
      dpopNonce = nonce;
      nonceChanges = options?.everyCall ? 0 : undefined;
    },
    Client,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}

/** A unary call as a promise of its response or its `ServiceError`. */
export function unary(
  call: ThingsClient['get'],
  client: ThingsClient,
  request: unknown,
  metadata: Grpc.Metadata,
  options: Grpc.CallOptions = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    call.call(client, request, metadata, options, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** A server-streaming call's messages, or its `ServiceError`. */
export function collect(stream: Grpc.ClientReadableStream<unknown>): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const messages: unknown[] = [];
    stream.on('data', (message: unknown) => messages.push(message));
    stream.on('error', reject);
    stream.on('end', () => resolve(messages));
  });
}
