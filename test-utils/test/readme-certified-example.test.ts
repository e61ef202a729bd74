// The example of test-utils/README.md's "A certified authorization server", verbatim.
import { createTokenProvider } from '@m2m-auth/core';
import { expect, it } from 'vitest';
import { startCertifiedApi, startCertifiedServer } from '../src/index.ts';

it('the certified server example: discovery, an introspected token, a revocation', async () => {
  const auth = await startCertifiedServer(); // issuer: http://127.0.0.1:<port>
  const api = await startCertifiedApi({ server: auth, format: 'opaque' }); // or 'jwt', the default
  const { clientId, clientSecret } = auth.clients.basic;
  const tokens = createTokenProvider({
    issuer: auth.issuer,
    clientId,
    clientSecret,
    resource: api.resource,
  });
  const call = async () => {
    const { accessToken } = await tokens.getToken();
    return fetch(`${api.url}/echo`, { headers: { authorization: `Bearer ${accessToken}` } });
  };
  expect((await call()).status).toBe(200);
  expect(await auth.revokeAll()).toBe(1);
  expect((await call()).status).toBe(401); // an adapter would refresh and replay here
  expect(auth.stats.tokenRequests).toMatchObject([
    { status: 200, authMethod: 'client_secret_basic' },
  ]);
  await api.close();
  await auth.close();
});
