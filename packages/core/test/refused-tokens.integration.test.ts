import {
  type AuthServer,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import { createTokenProvider, type TokenEvent } from '../src/index.ts';

// An API that refuses every token we fetch, then is fixed: the backoff holds off the token
// endpoint, and recovers by itself once its window runs out.
describe('an API that refuses every fresh token', () => {
  let auth: AuthServer;
  let api: ResourceServer;
  beforeAll(async () => {
    auth = await startAuthServer();
    api = await startResourceServer({ authServer: auth });
  });
  afterAll(() => Promise.all([auth.close(), api.close()]));

  it('backs off, hands the 401s back without a token request, and recovers by itself', async () => {
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      onEvent: (event) => events.push(event),
    });
    const policy = createRequestPolicy(tokens, { origins: [api.url] });
    const call = (path: string) =>
      policy.send({ url: `${api.url}${path}` }, (exchange) =>
        fetch(`${api.url}${path}`, { headers: { ...exchange?.headers() } as HeadersInit }),
      );
    expect((await call('/always-401')).status).toBe(401);
    expect(auth.stats.total).toBe(2); // the token, and the refresh the replay used
    expect(events.filter((e) => e.type === 'token_refused')).toMatchObject([
      { retryInMs: 1_000, scope: undefined },
    ]);
    // Within the window even a revoked token is not refreshed: the 401 goes back as it is.
    auth.control.revokeAll();
    api.reset();
    expect((await call('/echo/in-window')).status).toBe(401);
    expect(api.requests).toHaveLength(1);
    expect(auth.stats.total).toBe(2);
    // The window runs out: the next 401 is refreshed and replayed, and the API is back.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await call('/echo/after-window')).status).toBe(200);
    expect(auth.stats.total).toBe(3);
    expect(events.filter((e) => e.type === 'token_refused')).toHaveLength(1);
  });
});
