/**
 * `policy.send(request, attempt)`: the whole exchange over a fetch-shaped transport, as
 * fetchAuth and the undici interceptor use it. The transport here is a script of answers.
 */
import { describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import type { Exchange } from '../src/exchange.ts';
import { bearerProvider as provider } from './helpers/bearer-provider.ts';

interface Sent {
  n: 0 | 1;
  authorization: string | undefined;
}

/** Answers in order; records what each attempt carried and whether a body was cancelled. */
function transport(answers: Array<{ status: number; redirected?: boolean; url?: string }>) {
  const sent: Sent[] = [];
  const cancelled: number[] = [];
  const attempt = async (exchange: Exchange | undefined, n: 0 | 1) => {
    sent.push({ n, authorization: exchange?.headers()?.authorization });
    const index = sent.length - 1;
    const answer = answers[index] ?? { status: 200 };
    return {
      ...answer,
      headers: new Headers(),
      body: {
        cancel: async () => {
          cancelled.push(index);
        },
      },
    };
  };
  return { sent, cancelled, attempt };
}

const url = 'https://api.example/things';

describe('policy.send', () => {
  it('sends a request that is not ours once, without an exchange', async () => {
    const { tokens, seen } = provider();
    const policy = createRequestPolicy(tokens, { origins: ['https://api.example'] });
    const wire = transport([{ status: 401 }]);
    const answer = await policy.send({ url: 'https://elsewhere.example/' }, wire.attempt);
    expect(answer.status).toBe(401);
    expect(wire.sent).toEqual([{ n: 0, authorization: undefined }]);
    expect(seen.gets).toBe(0);
  });

  it('returns any answer but a 401 as it is, after one attempt', async () => {
    const { tokens, seen } = provider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    for (const status of [200, 403, 500]) {
      const wire = transport([{ status }]);
      expect((await policy.send({ url }, wire.attempt)).status).toBe(status);
      expect(wire.sent).toEqual([{ n: 0, authorization: 'Bearer token-1' }]);
      expect(wire.cancelled).toEqual([]);
    }
    expect(seen.invalidated).toEqual([]);
  });

  it('on a 401, discards the first body and replays once with a fresh token', async () => {
    const { tokens, seen } = provider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const wire = transport([{ status: 401 }, { status: 200 }]);
    expect((await policy.send({ url }, wire.attempt)).status).toBe(200);
    expect(wire.sent).toEqual([
      { n: 0, authorization: 'Bearer token-1' },
      { n: 1, authorization: 'Bearer token-2' },
    ]);
    expect(wire.cancelled).toEqual([0]);
    expect(seen.invalidated).toEqual([['token-1', undefined]]);
  });

  it("hands the replay's own 401 back, reporting that the fresh token was refused too", async () => {
    const { tokens, seen } = provider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const wire = transport([{ status: 401 }, { status: 401 }]);
    expect((await policy.send({ url }, wire.attempt)).status).toBe(401);
    expect(wire.sent).toHaveLength(2);
    await Promise.resolve(); // the report is not awaited by the caller
    expect(seen.invalidated).toEqual([
      ['token-1', undefined],
      ['token-2', { refusedAfterRefresh: true }],
    ]);
  });

  it('returns the 401 unsent again when no fresher token can be had', async () => {
    const { tokens } = provider({ stuck: true });
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const wire = transport([{ status: 401 }]);
    expect((await policy.send({ url }, wire.attempt)).status).toBe(401);
    expect(wire.sent).toHaveLength(1);
    expect(wire.cancelled).toEqual([]); // the caller reads the 401's body
  });

  it("throws the refresh's own error when the 401 came without a body", async () => {
    const { tokens } = provider({ failAfter: 1 });
    const policy = createRequestPolicy(tokens, { origins: '*' });
    await expect(
      policy.send({ url }, async () => ({ status: 401, headers: new Headers(), body: null })),
    ).rejects.toThrow('token endpoint down');
  });

  it('cancels the first body and throws when the refresh fails', async () => {
    const { tokens } = provider({ failAfter: 1 });
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const wire = transport([{ status: 401 }]);
    await expect(policy.send({ url }, wire.attempt)).rejects.toThrow('token endpoint down');
    expect(wire.sent).toHaveLength(1);
    expect(wire.cancelled).toEqual([0]);
  });

  it('does not judge a 401 from another origin the transport was redirected to', async () => {
    const { tokens, seen } = provider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const elsewhere = { status: 401, redirected: true, url: 'https://login.example/' };
    const wire = transport([elsewhere]);
    expect((await policy.send({ url }, wire.attempt)).status).toBe(401);
    expect(wire.sent).toHaveLength(1);
    // Redirected within the origin, it is ours to judge.
    const within = transport([
      { status: 401, redirected: true, url: 'https://api.example/moved' },
      { status: 200 },
    ]);
    expect((await policy.send({ url }, within.attempt)).status).toBe(200);
    expect(seen.invalidated).toEqual([['token-1', undefined]]);
  });

  it('does not report a refused token when the replay was redirected to another origin', async () => {
    const { tokens, seen } = provider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const wire = transport([
      { status: 401 },
      { status: 401, redirected: true, url: 'https://login.example/' },
    ]);
    expect((await policy.send({ url }, wire.attempt)).status).toBe(401);
    await Promise.resolve();
    expect(seen.invalidated).toEqual([['token-1', undefined]]);
  });
});
