/**
 * The recipe for an SDK that only uses Node's global fetch (README: "An SDK that only calls
 * the global fetch"): one line at start-up, no change to the SDK. Shown with a vendor-style SDK
 * (fixtures/vendor-sdk.ts), openapi-fetch and ofetch left on their default fetch, on the
 * undici major the running Node bundles, as the README says to install.
 */
import { createTokenProvider } from '@m2m-auth/core';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import { ofetch } from 'ofetch';
import createClient from 'openapi-fetch';
import { beforeEach, describe, expect, it } from 'vitest';
import { undiciAuth } from '../src/index.ts';
import { undiciOfThisNode } from './clients.ts';
import { VendorSdk } from './fixtures/vendor-sdk.ts';

const { undici, base } = await undiciOfThisNode();
const { getGlobalDispatcher, setGlobalDispatcher } = undici;

describe('an SDK that only calls the global fetch, through undiciAuth on the global dispatcher', () => {
  const servers = useTestServers();
  beforeEach(() => {
    const tokens = createTokenProvider({
      tokenUrl: servers.auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    });
    // The recipe: once, at start-up, before the SDK is used.
    setGlobalDispatcher(
      getGlobalDispatcher().compose(undiciAuth(tokens, { origins: [servers.api.url] }) as never),
    );
    return () => setGlobalDispatcher(base);
  });

  it('gets the token on every call, and after a revoke one refresh and one replay, POST body whole', async () => {
    const sdk = new VendorSdk(servers.api.url);
    expect(await sdk.thing('1')).toMatchObject({ path: '/echo/things/1', sub: 'demo-client' });
    servers.auth.control.revokeAll();
    const order = { sku: 'a-1', quantity: 3 };
    expect(await sdk.createOrder(order)).toMatchObject({
      bodyLength: JSON.stringify(order).length,
    });
    expect(await sdk.thing('2')).toMatchObject({ path: '/echo/things/2' });
    expect(servers.api.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/echo/things/1', 200],
      ['POST', '/echo/orders', 401],
      ['POST', '/echo/orders', 200],
      ['GET', '/echo/things/2', 200],
    ]);
    expect(servers.auth.stats.issued).toBe(2);
  });

  it('openapi-fetch and ofetch on their default fetch are served the same way', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: no OpenAPI schema for the test API
    const client = createClient<any>({ baseUrl: servers.api.url });
    const { response } = await client.GET('/echo/openapi', { parseAs: 'text' });
    expect(response.status).toBe(200);
    expect(await ofetch(`${servers.api.url}/echo/ofetch`)).toMatchObject({ path: '/echo/ofetch' });
    expect(servers.api.requests.every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
    expect(servers.auth.stats.issued).toBe(1);
  });

  it("the SDK's calls elsewhere carry no token", async () => {
    await fetch(`${servers.other.url}/telemetry`);
    expect(servers.other.received).toEqual([
      { method: 'GET', path: '/telemetry', authorization: undefined },
    ]);
  });
});
