// The "Use it in your own vitest suite" example of test-utils/README.md, verbatim.
import { createTokenProvider } from '@m2m-auth/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAuthServer, startResourceServer } from '../src/index.ts';

let auth: Awaited<ReturnType<typeof startAuthServer>>;
let api: Awaited<ReturnType<typeof startResourceServer>>;
beforeAll(async () => {
  auth = await startAuthServer();
  api = await startResourceServer({ authServer: auth });
});
afterAll(() => Promise.all([auth.close(), api.close()]));

it('my service survives a revoked token', async () => {
  const tokens = createTokenProvider({
    tokenUrl: auth.tokenUrl('generic'),
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
  });
  const call = async () => {
    const { accessToken } = await tokens.getToken();
    return fetch(`${api.url}/echo`, { headers: { authorization: `Bearer ${accessToken}` } });
  };
  expect((await call()).status).toBe(200);
  auth.control.revokeAll();
  expect((await call()).status).toBe(401); // an adapter would refresh and replay here
  expect(auth.stats.issued).toBe(1);
});
