import diagnostics from 'node:diagnostics_channel';
import { asLogged, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import { createTokenProvider } from '../src/index.ts';

// What an APM agent (or @m2m-auth/otel) sees: the channels core publishes on.
describe('diagnostics_channel', () => {
  let auth: Awaited<ReturnType<typeof startAuthServer>>;
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterAll(() => auth.close());

  function listen(name: string) {
    const messages: unknown[] = [];
    const listener = (message: unknown) => messages.push(message);
    diagnostics.subscribe(name, listener);
    return { messages, stop: () => diagnostics.unsubscribe(name, listener) };
  }

  it('publishes events, served tokens, traced token requests and 401 replays, never a secret', async () => {
    const channels = {
      event: listen('m2m-auth:event'),
      served: listen('m2m-auth:token-served'),
      replay: listen('m2m-auth:replay'),
      start: listen('tracing:m2m-auth:token-request:start'),
      end: listen('tracing:m2m-auth:token-request:asyncEnd'),
    };
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      scope: 'reports',
    });
    const first = await tokens.getToken();
    await tokens.getToken(); // served from the cache
    const policy = createRequestPolicy(tokens, { origins: ['https://api.vendor.example'] });
    const exchange = await policy.begin({ url: 'https://api.vendor.example/x' });
    expect(await exchange?.answer(401, () => null)).toBe(true);
    for (const channel of Object.values(channels)) channel.stop();

    expect(channels.start.messages).toHaveLength(2); // the first fetch and the replay's
    expect(channels.start.messages[0]).toMatchObject({
      scope: 'reports',
      tokenUrl: auth.tokenUrl('generic'),
      refreshAhead: false,
    });
    expect(channels.end.messages[0]).toMatchObject({
      result: { expiresAt: first.expiresAt, obtainedAt: expect.any(Number) },
    });
    expect(channels.served.messages.length).toBeGreaterThanOrEqual(2);
    expect(channels.served.messages[0]).toMatchObject({ scope: 'reports', refreshAhead: false });
    expect(channels.replay.messages).toEqual([{ scope: 'reports', replayed: true }]);
    expect(channels.event.messages.map((e) => (e as { type: string }).type)).toEqual([
      'token_fetched',
      'token_invalidated',
      'token_fetched',
    ]);
    const published = asLogged([
      channels.event.messages,
      channels.served.messages,
      channels.replay.messages,
      channels.start.messages,
      channels.end.messages,
    ]);
    expect(published).not.toContain(first.accessToken);
    expect(published).not.toContain('demo-secret');
  });
});
