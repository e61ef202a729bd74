import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEventSink, eventSink } from '../src/event-sink.ts';
import type { Logger, TokenEvent } from '../src/events.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import { settle } from './helpers/settle.ts';

const SECRET = 'Evt-Secret-Value-42';

/** A token endpoint as a fetch function: answers `replies` in order, counting calls. */
function scriptedFetch(replies: Array<() => Response>) {
  const calls: string[] = [];
  const fetch = async (_url: string, init: RequestInit) => {
    calls.push(String(init.body));
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (!reply) throw new Error('no reply scripted');
    return reply();
  };
  return { fetch, calls };
}

const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('events and logging', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports a fetch, a retry and an invalidation, with the logger at matching levels', async () => {
    const events: TokenEvent[] = [];
    const logged: Array<[string, string, object | undefined]> = [];
    const logger: Logger = {
      debug: (m, d) => logged.push(['debug', m, d]),
      info: (m, d) => logged.push(['info', m, d]),
      warn: (m, d) => logged.push(['warn', m, d]),
      error: (m, d) => logged.push(['error', m, d]),
    };
    const { fetch, calls } = scriptedFetch([
      json({ error: 'temporarily_unavailable' }, 503),
      json({ access_token: 'tok-1', token_type: 'Bearer', expires_in: 900 }),
    ]);
    const provider = createTokenProvider({
      tokenUrl: 'https://auth.example.test/token',
      clientId: 'client',
      clientSecret: SECRET,
      scope: 'tenant/acme',
      fetch,
      onEvent: (event) => events.push(event),
      logger,
    });
    const token = await settle(provider.getToken());
    expect(token.accessToken).toBe('tok-1');
    expect(calls).toHaveLength(2);
    expect(await provider.invalidate('tok-1')).toBe(true);

    expect(events.map((e) => e.type)).toEqual([
      'token_request_retried',
      'token_fetched',
      'token_invalidated',
    ]);
    const fetched = events[1];
    expect(fetched).toMatchObject({
      type: 'token_fetched',
      scope: 'tenant/acme',
      lifetimeMs: 900_000,
      lifetimeSource: 'expires_in',
      refreshedAhead: false,
    });
    expect(fetched?.key).toMatch(/^m2m:[\w-]{43}$/);
    expect(logged.map(([level, message]) => `${level} ${message}`)).toEqual([
      'warn m2m-auth: token_request_retried',
      'debug m2m-auth: token_fetched',
      'info m2m-auth: token_invalidated',
    ]);
    const everything = JSON.stringify({ events, logged });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('tok-1');
  });

  it('keeps working when the listener or the logger throws', async () => {
    const { fetch } = scriptedFetch([json({ access_token: 'tok-1', expires_in: 60 })]);
    const provider = createTokenProvider({
      tokenUrl: 'https://auth.example.test/token',
      clientId: 'client',
      clientSecret: SECRET,
      fetch,
      onEvent: () => {
        throw new Error('listener bug');
      },
      logger: {
        debug: () => {
          throw new Error('logger bug');
        },
      },
    });
    await expect(provider.getToken()).resolves.toMatchObject({ accessToken: 'tok-1' });
  });

  it('logs failures at error level with the typed error serialised', () => {
    const logged: unknown[] = [];
    const sink = createEventSink(undefined, { error: (...args) => logged.push(args) });
    const error = Object.assign(new Error('x'), {
      code: 'M2M_TIMEOUT',
      toJSON: () => ({ code: 'M2M_TIMEOUT' }),
    });
    sink({ type: 'token_request_failed', key: 'm2m:k', scope: undefined, error: error as never });
    expect(logged).toEqual([
      [
        'm2m-auth: token_request_failed',
        { key: 'm2m:k', scope: undefined, error: { code: 'M2M_TIMEOUT' } },
      ],
    ]);
  });

  it('serves event kinds of other packages with their own levels, the logger heard even when onEvent throws', () => {
    type StoreEvent = { type: 'store_down' } | { type: 'store_up' };
    const logged: string[] = [];
    const sink = eventSink<StoreEvent>(
      { store_down: 'warn', store_up: 'info' },
      () => {
        throw new Error('listener bug');
      },
      { warn: (m) => logged.push(`warn ${m}`), info: (m) => logged.push(`info ${m}`) },
    );
    sink({ type: 'store_down' });
    sink({ type: 'store_up' });
    expect(logged).toEqual(['warn m2m-auth: store_down', 'info m2m-auth: store_up']);
  });
});
