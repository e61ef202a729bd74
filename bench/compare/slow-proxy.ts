/**
 * A loopback proxy in front of the test API that holds each answer for a spread of delays
 * (request n waits n mod 100 ms), the way a real API's latency varies while the token endpoint
 * stays quick. With it, the 401s of a revocation storm arrive over 100 ms instead of at once,
 * and many arrive after the first refresh has finished: the case where a library must tell a
 * 401 for the token it already replaced from a 401 for the new one.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startSlowProxy(target: string) {
  let n = 0;
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const delay = n++ % 100;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        setTimeout(() => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        }, delay);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
