import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { issue, scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';
import { settle } from './helpers/settle.ts';

describe('invalidate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup() {
    return scriptedProvider(scriptedEndpoint(() => ({ ...issue(3600), delayMs: 30 })));
  }

  it('turns 100 concurrent 401 handlers holding the same stale token into one new request', async () => {
    const { endpoint, tokens, events } = setup();
    const stale = await settle(tokens.getToken());
    const onUnauthorized = async () => {
      await tokens.invalidate(stale.accessToken);
      return tokens.getToken();
    };
    const fresh = await settle(Promise.all(Array.from({ length: 100 }, onUnauthorized)));
    expect(endpoint.requests).toHaveLength(2);
    expect(new Set(fresh.map((t) => t.accessToken))).toEqual(new Set([fresh[0]?.accessToken]));
    expect(fresh[0]?.accessToken).not.toBe(stale.accessToken);
    expect(events.filter((e) => e.type === 'token_invalidated')).toHaveLength(1);
  });

  it('keeps a newer token when a late handler invalidates an old one', async () => {
    const { endpoint, tokens } = setup();
    const old = await settle(tokens.getToken());
    expect(await tokens.invalidate(old.accessToken)).toBe(true);
    const newer = await settle(tokens.getToken());
    expect(await tokens.invalidate(old.accessToken)).toBe(false);
    expect((await tokens.getToken()).accessToken).toBe(newer.accessToken);
    expect(endpoint.requests).toHaveLength(2);
  });

  it('does nothing for a token it never issued, or before any token exists', async () => {
    const { endpoint, tokens, events } = setup();
    expect(await settle(tokens.invalidate('never-issued'))).toBe(false);
    const token = await settle(tokens.getToken());
    expect(await tokens.invalidate('never-issued')).toBe(false);
    expect((await tokens.getToken()).accessToken).toBe(token.accessToken);
    expect(endpoint.requests).toHaveLength(1);
    expect(events.some((e) => e.type === 'token_invalidated')).toBe(false);
  });

  it("only touches its own scope's token", async () => {
    const { endpoint, tokens } = setup();
    const a = tokens.forScope('tenant/a');
    const b = tokens.forScope('tenant/b');
    const [ta, tb] = await settle(Promise.all([a.getToken(), b.getToken()]));
    expect(await b.invalidate(ta.accessToken)).toBe(false);
    expect(await a.invalidate(ta.accessToken)).toBe(true);
    expect((await b.getToken()).accessToken).toBe(tb.accessToken);
    expect(endpoint.requests).toHaveLength(2);
  });
});
