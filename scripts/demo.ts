/**
 * Placeholder demo (issue 6 replaces it with the full story on the test-utils servers):
 * a token endpoint on loopback, one provider, a token fetched once and reused, printed
 * redacted. Run with `npm run demo`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenProvider, type TokenEvent } from '@m2m-auth/core';

let tokenRequests = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on('end', () => {
    tokenRequests++;
    const form = new URLSearchParams(body);
    const basic = req.headers.authorization === `Basic ${btoa('demo-client:demo-secret')}`;
    res.setHeader('content-type', 'application/json');
    if (
      req.url !== '/oauth/v2/token' ||
      !basic ||
      form.get('grant_type') !== 'client_credentials'
    ) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client' }));
      return;
    }
    const token = `demo-${crypto.randomUUID()}`;
    res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: '3600' }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const events: TokenEvent['type'][] = [];
const tokens = createTokenProvider({
  tokenUrl: `http://127.0.0.1:${port}/oauth/v2/token`,
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  onEvent: (event) => events.push(event.type),
});

const redact = (token: string) => `${token.slice(0, 9)}…(${token.length} chars)`;
const first = await tokens.getToken();
const burst = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));
const reused = burst.every((t) => t.accessToken === first.accessToken);
console.log(`token endpoint   ${`http://127.0.0.1:${port}/oauth/v2/token`}`);
console.log(`access token     ${redact(first.accessToken)}`);
console.log(
  `expires in       ${Math.round((first.expiresAt - Date.now()) / 1000)} s ("expires_in" sent as a string)`,
);
console.log(`101 getToken()   ${tokenRequests} token request(s), same token for all: ${reused}`);
console.log(`events           ${events.join(', ')}`);
server.close();
if (tokenRequests !== 1 || !reused) {
  console.error('demo failed: expected one token request shared by every caller');
  process.exit(1);
}
