import { startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type TokenEvent } from '../src/index.ts';
import { createTokenProvider } from '../src/token-provider.ts';

// A secret manager behind a function: the server rotates the secret, the function starts
// returning the new one, and the provider picks it up on the next invalid_client.
describe('a clientSecret function', () => {
  let auth: Awaited<ReturnType<typeof startAuthServer>>;
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterAll(() => auth.close());

  function rotatingProvider(events: TokenEvent[]) {
    const vault = { secret: 'demo-secret', reads: 0 };
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: async () => {
        vault.reads++;
        return vault.secret;
      },
      onEvent: (event) => events.push(event),
    });
    return { tokens, vault };
  }

  it('is read once, then again on invalid_client, and a rotated secret is used at once', async () => {
    const events: TokenEvent[] = [];
    const { tokens, vault } = rotatingProvider(events);
    const first = await tokens.getToken();
    expect(vault.reads).toBe(1);

    vault.secret = auth.control.rotateSecret('demo-client');
    await tokens.invalidate(first.accessToken);
    auth.stats.reset();
    const second = await tokens.getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(vault.reads).toBe(2);
    expect(auth.stats.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([{ changed: true }]);
    // The cache key follows the secret: tokens fetched under the new one live under a new key.
    const keys = events.filter((e) => e.type === 'token_fetched').map((e) => e.key);
    expect(new Set(keys).size).toBe(2);
    // ...and the token fetched during the rotation is found under it: no third request.
    expect((await tokens.getToken()).accessToken).toBe(second.accessToken);
    expect(auth.stats.total).toBe(2);
    expect(JSON.stringify(events)).not.toContain(vault.secret);
  });

  it('rotates once for flights refused at the same time (two scopes), and both succeed', async () => {
    auth.control.rotateSecret('demo-client', 'demo-secret'); // what the vault starts with
    const events: TokenEvent[] = [];
    const { tokens, vault } = rotatingProvider(events);
    await tokens.getToken(); // the first read
    vault.secret = auth.control.rotateSecret('demo-client');
    const both = await Promise.all([
      tokens.forScope('a').getToken(),
      tokens.forScope('b').getToken(),
    ]);
    expect(both.map((t) => t.tokenType)).toEqual(['Bearer', 'Bearer']);
    expect(vault.reads).toBe(2); // one shared re-read for both flights
  });

  it('gives up after one re-read when the secret did not change', async () => {
    const events: TokenEvent[] = [];
    const { tokens, vault } = rotatingProvider(events);
    auth.control.rotateSecret('demo-client'); // the vault was not updated
    auth.stats.reset();
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(vault.reads).toBe(2);
    expect(auth.stats.total).toBe(1);
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([{ changed: false }]);
  });

  it('refuses a function that returns no string, with a typed error', async () => {
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: () => '' as string,
    });
    await expect(tokens.getToken()).rejects.toBeInstanceOf(ConfigError);
  });

  it('a static secret is never re-read', async () => {
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'wrong-secret',
      onEvent: (event) => events.push(event),
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(events.some((e) => e.type === 'secret_reread')).toBe(false);
  });
});
