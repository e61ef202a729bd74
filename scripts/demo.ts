/**
 * `npm run demo`, until the full story of issue 6 replaces it: the test-utils authorization
 * server (every vendor profile) and protected API on loopback; per profile, a provider gets
 * a token once for 100 concurrent calls, survives a revoke-all through core's request
 * policy (401 -> invalidate -> one new token -> replay), and prints tokens redacted.
 */
import {
  createRequestPolicy,
  createTokenProvider,
  type TokenProviderOptions,
} from '@m2m-auth/core';
import { type ProfileName, startAuthServer, startResourceServer } from '@m2m-auth/test-utils';

const auth = await startAuthServer();
const api = await startResourceServer({ authServer: auth });

const vendors: Array<[ProfileName, string, Partial<TokenProviderOptions>]> = [
  ['cognito', 'Basic + client_id in body, expires_in "86400"', { clientIdInBody: true }],
  [
    'tenant',
    'client_secret_post, scope tenant/acme',
    { clientAuth: 'client_secret_post', scope: 'tenant/acme' },
  ],
  [
    'generic',
    'Basic, RFC 6749 encoding of "my:client id+1"',
    { clientId: 'my:client id+1', clientSecret: 's3cr%t:&=+/ü' },
  ],
  ['strict-rfc', 'Basic, strict RFC 6749 server', {}],
];

const redact = (token: string) => `${token.slice(0, 8)}…(${token.length} chars)`;
const rows: string[] = [];
let ok = true;

for (const [profile, quirk, options] of vendors) {
  const tokens = createTokenProvider({
    tokenUrl: auth.tokenUrl(profile),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    ...options,
  });
  const policy = createRequestPolicy(tokens, { origins: [api.url] }, { adapter: 'demo' });
  const call = async (path: string) => {
    const url = `${api.url}${path}`;
    let sent = await policy.authorize({ url, hasAuthorization: false });
    for (let replayed = false; ; replayed = true) {
      const res = await fetch(url, { headers: sent ? { authorization: sent.header } : {} });
      const replay = await policy.replayAuthorization({ status: res.status, sent, replayed });
      if (!replay) return res.status;
      sent = replay;
    }
  };
  auth.stats.reset();
  api.reset();
  const first = await tokens.getToken();
  const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => call(`/echo/${i}`)));
  const tokensBefore = auth.stats.issued;
  auth.control.revokeAll();
  const afterRevoke = await Promise.all(
    Array.from({ length: 20 }, (_, i) => call(`/echo/after/${i}`)),
  );
  const forbidden = await call('/forbidden');
  const good =
    burst.every((s) => s === 200) &&
    afterRevoke.every((s) => s === 200) &&
    tokensBefore === 1 &&
    auth.stats.issued === 2 &&
    forbidden === 403;
  ok &&= good;
  console.log(`${profile.padEnd(10)} ${quirk}`);
  console.log(
    `           token ${redact(first.accessToken)}, expires in ${Math.round((first.expiresAt - Date.now()) / 1000)} s`,
  );
  rows.push(
    `| ${profile} | ${burst.length + afterRevoke.length + 1} | ${auth.stats.issued} | ${api.counters.unauthorized} | ${forbidden} | ${good ? 'ok' : 'FAILED'} |`,
  );
}

console.log('\n| profile | API calls | token requests | 401s replayed | /forbidden | result |');
console.log('|---|---:|---:|---:|---:|---|');
for (const row of rows) console.log(row);
await Promise.all([auth.close(), api.close()]);
if (!ok) {
  console.error('\ndemo failed: see the rows marked FAILED');
  process.exit(1);
}
console.log(
  '\n100 concurrent calls share one token; after revoke-all, 20 concurrent calls share one refresh; 403 passes through.',
);
