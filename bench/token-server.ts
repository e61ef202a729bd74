/** A loopback token endpoint for benchmarks: counts requests, answers after `delayMs`. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BenchTokenServer {
  tokenUrl: string;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startTokenServer(delayMs = 20): Promise<BenchTokenServer> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            access_token: `bench-${requests}-${crypto.randomUUID()}`,
            token_type: 'Bearer',
            expires_in: 3600,
          }),
        );
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/oauth/v2/token`,
    get requests() {
      return requests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
