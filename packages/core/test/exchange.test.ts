/**
 * The request exchange as the adapters that link attempts drive it (axios, got, ky): begin,
 * apply, answer, begin the next attempt with the previous one. Bearer tokens; DPoP is in
 * exchange-dpop.test.ts, fetch-shaped transports in exchange-send.test.ts.
 */
import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import { recordHeaders } from '../src/record-headers.ts';
import { bearerProvider } from './helpers/bearer-provider.ts';

const url = 'https://api.example/things';
const noHeaders = () => null;
const refusals = (seen: ReturnType<typeof bearerProvider>['seen']) =>
  seen.invalidated.filter(([, options]) => options?.refusedAfterRefresh).map(([token]) => token);

describe('the request exchange, attempt by attempt', () => {
  it('reports the token its refresh fetched as refused when the replay gets a 401 too, once', async () => {
    const { tokens, seen } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const first = await policy.begin({ url });
    expect(await first?.answer(401, noHeaders)).toBe(true);
    // The replay goes through the client: the next attempt, with the refreshed token.
    const replay = await policy.begin({ url, authorization: 'Bearer token-1' }, first);
    expect(replay?.headers()?.authorization).toBe('Bearer token-2');
    expect(replay?.answer(401, noHeaders)).toBeUndefined(); // the replay's 401 stands
    expect(refusals(seen)).toEqual(['token-2']);
    // A retry layer sends it once more with the same token: not reported again.
    const again = await policy.begin({ url, authorization: 'Bearer token-2' }, replay);
    expect(again?.answer(401, noHeaders)).toBeUndefined();
    expect(refusals(seen)).toEqual(['token-2']);
  });

  it('reports no refusal when the replay is answered anything but 401', async () => {
    const { tokens, seen } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const first = await policy.begin({ url });
    expect(await first?.answer(401, noHeaders)).toBe(true);
    const replay = await policy.begin({ url, authorization: 'Bearer token-1' }, first);
    for (const status of [200, 403, 503]) expect(replay?.answer(status, noHeaders)).toBeUndefined();
    expect(refusals(seen)).toEqual([]);
  });

  it("takes a 401 after a retry layer's re-send for a bad token, not for a refused refresh", async () => {
    const { tokens, seen } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const first = await policy.begin({ url });
    expect(first?.answer(503, noHeaders)).toBeUndefined();
    const retry = await policy.begin({ url, authorization: 'Bearer token-1' }, first);
    expect(await retry?.answer(401, noHeaders)).toBe(true); // replayed, token-1 invalidated
    expect(seen.invalidated).toEqual([['token-1', undefined]]);
  });

  it('gives the replay the token its refresh fetched, even if another came since', async () => {
    const { tokens, seen } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const first = await policy.begin({ url });
    expect(await first?.answer(401, noHeaders)).toBe(true);
    await tokens.invalidate('token-2'); // another request's refresh: token-3 is current now
    const replay = await policy.begin({ url, authorization: 'Bearer token-1' }, first);
    expect(replay?.headers()?.authorization).toBe('Bearer token-2');
    // The attempt after the replay carries the current token again.
    expect(replay?.answer(503, noHeaders)).toBeUndefined();
    const after = await policy.begin({ url, authorization: 'Bearer token-2' }, replay);
    expect(after?.headers()?.authorization).toBe('Bearer token-3');
    // token-3 was not this request's refresh: its 401 is no report of a refused refresh.
    expect(after?.answer(401, noHeaders)).toBeUndefined();
    expect(refusals(seen)).toEqual([]);
  });

  it('keeps no replay for a body that cannot be sent again, as the client says', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const oneShot = await policy.begin({ url, resendable: false });
    expect(oneShot?.mayReplay).toBe(false);
    const replayable = await policy.begin({ url });
    expect(replayable?.mayReplay).toBe(true);
    expect(await replayable?.answer(401, noHeaders)).toBe(true);
    expect(replayable?.mayReplay).toBe(false); // its one replay is spent
  });

  it('publishes a replay that could not get a token as replayed: false', async () => {
    const { tokens } = bearerProvider({ failAfter: 1 });
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const notices: unknown[] = [];
    const listener = (message: unknown) => notices.push(message);
    diagnostics.subscribe('m2m-auth:replay', listener);
    try {
      const first = await policy.begin({ url });
      await expect(first?.answer(401, noHeaders)).rejects.toThrow('token endpoint down');
    } finally {
      diagnostics.unsubscribe('m2m-auth:replay', listener);
    }
    expect(notices).toEqual([{ scope: undefined, replayed: false }]);
  });

  it('a request that was moved elsewhere and answered there starts anew when reused for our origin', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: ['https://api.example'] });
    const first = await policy.begin({ url });
    const headers: Record<string, unknown> = { authorization: 'Bearer token-1' };
    first?.redirect(url, 'https://cdn.example/file', recordHeaders(headers));
    expect(first?.answer(200, noHeaders)).toBeUndefined(); // the final answer, from the CDN
    const reused = await policy.begin({ url }, first);
    expect(reused?.crossed).toBe(false);
    expect(reused?.headers()).toEqual({ authorization: 'Bearer token-1' });
  });
});

describe('what a withdrawn or crossed exchange does', () => {
  it('stays crossed through an origin it does not serve and back to ours: no token again', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: ['https://api.example'] });
    const first = await policy.begin({ url });
    const headers: Record<string, unknown> = { authorization: 'Bearer token-1' };
    first?.redirect(url, 'https://login.example/', recordHeaders(headers));
    // got runs beforeRequest again for the hop (no header of ours left on it), then for the
    // redirect back to our origin.
    const there = await policy.begin({ url: 'https://login.example/' }, first);
    expect(there).toBe(first);
    const back = await policy.begin({ url: 'https://api.example/after-login' }, there);
    expect(back?.headers()).toBeUndefined();
  });

  it('tells a hop of a redirect it follows itself: same origin the next attempt, else crossed', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const first = await policy.begin({ url, method: 'POST', body: 'x' });
    expect([first?.resendable, first?.target()]).toEqual([true, { method: 'POST', url }]);
    const to = { method: 'GET', url: 'https://api.example/moved' };
    const same = await first?.hop(to);
    expect(same).not.toBe(first);
    // A hop's body can be sent again or it has none (nextHop refuses a one-shot body).
    expect([same?.crossed, same?.resendable, same?.target()]).toEqual([false, true, to]);
    expect(same?.headers()).toEqual({ authorization: 'Bearer token-1' });
    const away = await same?.hop({ method: 'GET', url: 'https://cdn.example/' });
    expect(away).toBe(same);
    expect(away?.crossed).toBe(true);
    expect(await away?.hop(to)).toBe(away); // and back: still crossed
    expect(away?.headers()).toBeUndefined();
  });

  it('a header of ours on a request moved elsewhere: taken off, no headers, no replay', async () => {
    const { tokens, seen } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: ['https://api.example'] });
    await policy.begin({ url }); // token-1 handed out
    const moved = await policy.begin({
      url: 'https://elsewhere.example/',
      authorization: 'Bearer token-1',
    });
    expect(moved?.crossed).toBe(true);
    expect(moved?.headers()).toBeUndefined();
    expect(moved?.mayReplay).toBe(false);
    expect(moved?.answer(401, noHeaders)).toBeUndefined();
    const headers: Record<string, unknown> = { Authorization: 'Bearer token-1', DPoP: 'theirs' };
    moved?.apply(recordHeaders(headers));
    expect(headers).toEqual({ DPoP: 'theirs' }); // a provider without DPoP leaves it alone
    expect(seen.invalidated).toEqual([]);
  });

  it('takes only ours off on a redirect elsewhere: an Authorization set for the other host stays', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const exchange = await policy.begin({ url });
    const headers: Record<string, unknown> = { authorization: 'Basic b3RoZXI6aG9zdA==' };
    exchange?.redirect(url, 'https://other.example/', recordHeaders(headers));
    expect(headers).toEqual({ authorization: 'Basic b3RoZXI6aG9zdA==' });
    expect(exchange?.crossed).toBe(true);
  });

  it('does not cross on an answer from its own origin, however the URL is spelled', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const exchange = await policy.begin({ url });
    for (const from of [
      undefined,
      null,
      '',
      'HTTPS://API.EXAMPLE:443/after',
      'https://api.example',
    ]) {
      exchange?.answeredFrom(from);
      expect(exchange?.crossed, String(from)).toBe(false);
    }
    exchange?.answeredFrom(new URL('https://api.example.evil.test/'));
    expect(exchange?.crossed).toBe(true);
  });

  it("leaves a provider's DPoP header alone when it does not use DPoP", async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const exchange = await policy.begin({ url });
    expect(exchange?.headers()).toStrictEqual({ authorization: 'Bearer token-1' });
    const headers: Record<string, unknown> = { dpop: 'the-callers-own' };
    exchange?.apply(recordHeaders(headers));
    expect(headers).toEqual({ dpop: 'the-callers-own', authorization: 'Bearer token-1' });
  });
});

describe('the request policy', () => {
  it("hands the caller's abort to the token wait", async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    const reason = new Error('the caller gave up');
    await expect(policy.begin({ url, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await policy.begin({ url, signal: null })).toBeDefined(); // axios' "no signal"
  });

  it('owns only Authorization strings it handed out', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: '*' });
    await policy.begin({ url });
    expect(policy.owns('Bearer token-1')).toBe(true);
    for (const value of [undefined, null, 42, ['Bearer token-1'], 'Bearer token-2']) {
      expect(policy.owns(value), String(value)).toBe(false);
    }
  });
});
