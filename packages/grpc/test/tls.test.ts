/**
 * TLS channels: grpcCallCredentials composed into channel credentials with
 * `combineChannelCredentials`, and grpcAuth over TLS, against the in-process server with a
 * certificate from a throw-away CA (openssl, as core's mTLS tests make them).
 */
import { createTokenProvider } from '@m2m-auth/core';
import { grpcAuth, grpcCallCredentials } from '@m2m-auth/grpc';
import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generatePki, opensslBinary } from '../../core/test/support/tls-token-server.ts';
import { grpc, grpcVersion } from './support/grpc-version.ts';
import {
  startThingsServer,
  type ThingsClient,
  type ThingsServer,
  unary,
} from './support/things-server.ts';

const openssl = opensslBinary();

describe.skipIf(!openssl)(`TLS channels on grpc-js ${grpcVersion}`, () => {
  let auth: AuthServer;
  let server: ThingsServer;
  let ca: Buffer;
  const clients: ThingsClient[] = [];

  beforeAll(async () => {
    const pki = generatePki(openssl as string, []);
    ca = Buffer.from(pki.ca);
    auth = await startAuthServer();
    server = await startThingsServer(
      grpc,
      auth,
      grpc.ServerCredentials.createSsl(
        null,
        [{ private_key: Buffer.from(pki.server.key), cert_chain: Buffer.from(pki.server.cert) }],
        false,
      ),
    );
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.close();
    await auth?.close();
  });
  beforeEach(() => {
    auth.stats.reset();
    server.calls.length = 0;
  });

  const provider = () =>
    createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    });
  // The certificate names localhost and 127.0.0.1; a host name keeps TLS' ServerName a name.
  const client = (credentials: grpc.ChannelCredentials, options: grpc.ClientOptions = {}) => {
    const made = new server.Client(`localhost:${server.port}`, credentials, options);
    clients.push(made);
    return made;
  };
  const get = (c: ThingsClient) => unary(c.get, c, { id: 1 }, new grpc.Metadata());

  it('combineChannelCredentials(createSsl(ca), grpcCallCredentials(tokens)) puts the token on every call', async () => {
    const tokens = provider();
    const c = client(
      grpc.credentials.combineChannelCredentials(
        grpc.credentials.createSsl(ca),
        grpcCallCredentials(tokens, { hosts: ['localhost'] }),
      ),
    );
    await Promise.all([get(c), get(c), get(c)]);
    const { accessToken } = await tokens.getToken();
    expect(server.calls.map((call) => call.authorization)).toEqual(
      Array(3).fill(`Bearer ${accessToken}`),
    );
    expect(server.calls.map((call) => call.code)).toEqual([0, 0, 0]);
    expect(auth.stats.total).toBe(1);
  });

  it('call credentials do not retry: after revoke-all the call fails with UNAUTHENTICATED', async () => {
    const c = client(
      grpc.credentials.combineChannelCredentials(
        grpc.credentials.createSsl(ca),
        grpcCallCredentials(provider(), { hosts: ['localhost'] }),
      ),
    );
    await get(c);
    auth.control.revokeAll();
    await expect(get(c)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(server.calls.map((call) => call.code)).toEqual([0, 16]);
  });

  it('each generated metadata is its own: writing into one (as grpc-js 1.14 does for ORCA streams) reaches no other call', async () => {
    const creds = grpcCallCredentials(provider(), { hosts: ['localhost'] });
    // What grpc-js hands a generator for things.Things/Get (the host without its port).
    const options = {
      service_url: 'https://localhost/things.Things',
      method_name: '/things.Things/Get',
    };
    const first = await creds.generateMetadata(options);
    const extra = new grpc.Metadata();
    extra.set('grpc-accept-encoding', 'identity');
    first.merge(extra); // single-subchannel-channel merges the call's metadata into it
    first.add('authorization', 'Bearer someone-else');
    const second = await creds.generateMetadata(options);
    expect(Object.keys(second.getMap())).toEqual(['authorization']);
    expect(second.get('authorization')).toHaveLength(1);
    expect(second.get('authorization')[0]).toMatch(/^Bearer (?!someone-else)/);
    // The token reaches a real call once, untouched by the writes above.
    const c = client(
      grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(ca), creds),
    );
    await expect(get(c)).resolves.toBeDefined();
    expect(server.calls).toEqual([
      expect.objectContaining({ authorization: second.get('authorization')[0], code: 0 }),
    ]);
    expect(auth.stats.total).toBe(1);
  });

  it('call credentials give no token to a host not listed', async () => {
    const c = client(
      grpc.credentials.combineChannelCredentials(
        grpc.credentials.createSsl(ca),
        grpcCallCredentials(provider(), { hosts: ['api.vendor.example'] }),
      ),
    );
    await expect(get(c)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(server.calls).toEqual([expect.objectContaining({ authorization: undefined })]);
    expect(auth.stats.total).toBe(0);
  });

  it('grpc-js refuses to compose call credentials into insecure channel credentials', () => {
    expect(() =>
      grpc.credentials.combineChannelCredentials(
        grpc.credentials.createInsecure(),
        grpcCallCredentials(provider()),
      ),
    ).toThrow(/insecure/i);
  });

  it('grpcAuth over TLS: the token, and the retry after revoke-all', async () => {
    const c = client(grpc.credentials.createSsl(ca), { interceptors: [grpcAuth(provider())] });
    await get(c);
    auth.control.revokeAll();
    await get(c);
    expect(server.calls.map((call) => call.code)).toEqual([0, 16, 0]);
    expect(auth.stats.total).toBe(2);
  });
});
