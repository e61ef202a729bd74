/**
 * Step 2: the test-utils authorization server (with a private_key_jwt client), the resource
 * server and the `POST /revoke-all` control endpoint, all on 127.0.0.1, and the config that
 * tells each runtime where they are.
 */
import { createServer, type Server } from 'node:http';
import {
  type AuthServer,
  DEFAULT_CLIENTS,
  generateClientKeys,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import type { SmokeConfig } from './smoke.ts';

const CONCURRENCY = 50;

export interface Control {
  url: string;
  revokes: number;
  close(): Promise<void>;
}

export interface Servers {
  auth: AuthServer;
  api: ResourceServer;
  control: Control;
  config: SmokeConfig;
  /** Fresh records before each runtime, so that its checks see only its own requests. */
  reset(): void;
  close(): Promise<void>;
}

export async function startServers(): Promise<Servers> {
  const keys = await generateClientKeys('ES256');
  const jwtClient = {
    clientId: 'runtime-smoke',
    clientSecret: 'runtime-smoke-secret-0123456789abcdef0123456789',
    kid: keys.kid,
    privateJwk: keys.privateJwk as JsonWebKey,
  };
  const auth = await startAuthServer({
    clients: [
      ...DEFAULT_CLIENTS,
      { clientId: jwtClient.clientId, clientSecret: jwtClient.clientSecret, jwks: keys.jwks },
    ],
  });
  const api = await startResourceServer({ authServer: auth });
  const control = await startControl(auth);
  const config: SmokeConfig = {
    tokenUrls: {
      generic: auth.tokenUrl('generic'),
      strict: auth.tokenUrl('strict-rfc'),
      dpop: auth.tokenUrl('dpop'),
    },
    apiUrl: api.url,
    controlUrl: control.url,
    demo: { clientId: 'demo-client', clientSecret: 'demo-secret' },
    jwtClient,
    concurrency: CONCURRENCY,
    dpop: true,
  };
  return {
    auth,
    api,
    control,
    config,
    reset() {
      auth.stats.reset();
      api.reset();
      control.revokes = 0;
    },
    async close() {
      await Promise.all([auth.close(), api.close(), control.close()]);
    },
  };
}

/** `POST /revoke-all` for the runtimes: the one thing they cannot do to the servers themselves. */
async function startControl(auth: AuthServer): Promise<Control> {
  const control: Control = { url: '', revokes: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/revoke-all') {
      auth.control.revokeAll();
      control.revokes += 1;
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('control server has no port');
  control.url = `http://127.0.0.1:${address.port}`;
  control.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return control;
}
