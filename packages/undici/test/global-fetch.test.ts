/**
 * Node's own fetch through `setGlobalDispatcher(getGlobalDispatcher().compose(undiciAuth(...)))`
 * from the undici major the running Node bundles, as the README tells users to install it
 * (Node 24: undici 7; Node 22: undici 6, here its oldest supported release). Also run under
 * Node 22 (see the package README). The conformance suite, the composition matrix with
 * undici's retry interceptor, and core's own token requests through the same dispatcher.
 */
import { createTokenProvider } from '@m2m-auth/core';
import {
  describeAdapterConformance,
  describeComposition,
  useTestServers,
} from '@m2m-auth/test-utils/conformance';
import { describe, expect, it } from 'vitest';
import { auth, globalFetchVia, quickRetry, undiciOfThisNode } from './clients.ts';

const { undici, base, major: bundledMajor } = await undiciOfThisNode();
const label = `Node ${process.version}'s fetch, undici ${bundledMajor}'s setGlobalDispatcher`;
const installed = (dispatcher: ReturnType<typeof base.compose>) =>
  globalFetchVia(() => undici.setGlobalDispatcher(dispatcher));

describeAdapterConformance(`undiciAuth on ${label}`, ({ provider, origins }) =>
  installed(base.compose(auth(provider, { origins }))),
);

describeComposition(`undiciAuth on ${label}`, [
  {
    name: "undici's retry interceptor outside undiciAuth",
    retries: 'linked',
    make: ({ provider, origins }) =>
      installed(base.compose(auth(provider, { origins }), quickRetry(undici))),
  },
]);

describe(`undiciAuth on ${label}: core's own requests`, () => {
  const servers = useTestServers();

  it('a token endpoint inside origins never waits on itself, nor gets a bearer token', async () => {
    // Credentials in the body: the token request has no Authorization of its own to hide
    // behind (a Basic one would make it "theirs" and pass anyway).
    const tokens = createTokenProvider({
      tokenUrl: servers.auth.tokenUrl('strict-rfc'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      clientAuth: 'client_secret_post',
      timeoutMs: 2_000,
    });
    undici.setGlobalDispatcher(
      base.compose(auth(tokens, { origins: [servers.auth.url, servers.api.url] })),
    );
    const response = await fetch(`${servers.api.url}/echo/self`);
    expect(response.status).toBe(200);
    // A token request started by the caller itself, not by the interceptor, goes by too.
    servers.auth.control.revokeAll();
    const { accessToken } = await tokens.getToken();
    await tokens.invalidate(accessToken);
    expect((await tokens.getToken()).accessToken).not.toBe(accessToken);
    expect(servers.auth.stats.requests.map((r) => [r.status, r.authMethod])).toEqual([
      [200, 'post'],
      [200, 'post'],
    ]);
  });

  it("the discovery read of an issuer inside origins goes by too ('*')", async () => {
    const tokens = createTokenProvider({
      issuer: servers.auth.url,
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      timeoutMs: 2_000,
    });
    undici.setGlobalDispatcher(base.compose(auth(tokens, { origins: '*' })));
    expect((await fetch(`${servers.api.url}/echo/discovered`)).status).toBe(200);
    expect(servers.auth.stats.discovery.oauth + servers.auth.stats.discovery.openid).toBe(1);
    expect(servers.auth.stats.issued).toBe(1);
  });
});
