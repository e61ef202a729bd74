/**
 * Redirects core follows itself for a fetch-shaped transport (`policy.follow`, which
 * `policy.send` uses for a DPoP-bound request), with a fetch `Request`'s attempts
 * (`requestAttempts`), as fetchAuth and kyAuth use them: each hop decided by the Fetch
 * standard and the exchange, the answer marked as fetch marks it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestPolicy, requestAttempts } from '../src/adapter.ts';
import { bearerProvider } from './helpers/bearer-provider.ts';

interface Seen {
  url: string;
  method: string;
  authorization: string | null;
  contentType: string | null;
  cookie: string | null;
  body: string;
  redirect: RequestRedirect | undefined;
  extra: unknown;
}

/**
 * A transport answering by URL path (`empty`: an answer with no body at all); records every
 * send, what it was given, and which bodies were cancelled.
 */
function transport(
  route: (url: URL, n: number) => { status: number; location?: string; empty?: boolean },
) {
  const seen: Seen[] = [];
  const inputs: Array<Request | string> = [];
  const cancelled: string[] = [];
  const send = async (input: Request | string, init: RequestInit | undefined) => {
    inputs.push(input);
    const request = new Request(input, init);
    seen.push({
      url: request.url,
      method: request.method,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      cookie: request.headers.get('cookie'),
      body: request.body ? await request.text() : '',
      redirect: init?.redirect,
      extra: (init as { dispatcher?: unknown } | undefined)?.dispatcher,
    });
    const url = new URL(request.url);
    const { status, location, empty } = route(url, seen.length);
    const body = new ReadableStream({
      cancel: () => {
        cancelled.push(url.pathname);
      },
    });
    return new Response(status === 204 || empty ? null : body, {
      status,
      headers: location ? { location } : {},
    });
  };
  return { seen, inputs, cancelled, send };
}

const API = 'https://api.example';

async function follow(
  route: Parameters<typeof transport>[0],
  init: RequestInit = {
    method: 'POST',
    body: 'payload',
    headers: { 'content-type': 'text/plain' },
  },
  resendable = true,
) {
  const { tokens, seen: provider } = bearerProvider();
  const policy = createRequestPolicy(tokens, { origins: [API] });
  const wire = transport(route);
  const request = new Request(`${API}/start`, init);
  const attempt = requestAttempts(request, wire.send, { dispatcher: 'the-dispatcher' });
  // fetchAuth and kyAuth copy a Request before each send, so they report it resendable.
  const exchange = await policy.begin({
    url: request.url,
    method: request.method,
    body: request.body,
    resendable,
  });
  if (!exchange) throw new Error('the request was not authorized');
  // What policy.send does for a DPoP-bound request; the hops' rules are the same for Bearer.
  const response = await policy.follow(exchange, attempt);
  return { response, wire, provider, request };
}

/** The copies of a Request taken while a test runs: a copy only where a body may go again. */
const clones = () => vi.spyOn(Request.prototype, 'clone');
afterEach(() => {
  vi.restoreAllMocks();
});

describe('following redirects hop by hop', () => {
  it("leaves a Bearer request's redirects to the transport, even when asked to follow", async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: [API] });
    const wire = transport(() => ({ status: 204 }));
    const request = new Request(`${API}/start`);
    const hops: unknown[] = [];
    const attempt = requestAttempts(request, wire.send);
    const response = await policy.send(
      { url: request.url, resendable: true, followRedirects: true },
      (exchange, n, hop) => {
        hops.push(hop);
        return attempt(exchange, n, hop);
      },
    );
    expect(response.status).toBe(204);
    expect(hops).toEqual([undefined]);
    expect(wire.seen).toMatchObject([{ authorization: 'Bearer token-1', redirect: undefined }]);
  });

  it('sends the Request itself when nothing redirects, as fetch answered it', async () => {
    const { response, wire, request } = await follow(() => ({ status: 204 }));
    expect(response.status).toBe(204);
    expect(response.redirected).toBe(false);
    expect(wire.inputs).toEqual([request]);
    expect(wire.seen).toMatchObject([
      { url: `${API}/start`, method: 'POST', authorization: 'Bearer token-1', body: 'payload' },
    ]);
    expect(wire.seen[0]?.redirect).toBe('manual');
    expect(wire.seen[0]?.extra).toBe('the-dispatcher');
  });

  it('follows a same-origin 307 with the token and the body, marking the answer redirected', async () => {
    const { response, wire } = await follow((url) =>
      url.pathname === '/start' ? { status: 307, location: '/next' } : { status: 204 },
    );
    expect(response.status).toBe(204);
    expect(response.redirected).toBe(true);
    // An own property a later layer may set again, as on a Response it makes itself.
    expect(Object.getOwnPropertyDescriptor(response, 'redirected')).toMatchObject({
      value: true,
      configurable: true,
    });
    expect(wire.seen.map((s) => [s.url, s.method, s.authorization, s.body])).toEqual([
      [`${API}/start`, 'POST', 'Bearer token-1', 'payload'],
      [`${API}/next`, 'POST', 'Bearer token-1', 'payload'],
    ]);
    expect(wire.seen[1]).toMatchObject({ redirect: 'manual', extra: 'the-dispatcher' });
    expect(wire.cancelled).toEqual(['/start']);
  });

  it('turns a POST into a GET on 303 (no body, no body headers) and sends no token elsewhere', async () => {
    const { wire } = await follow(
      (url) =>
        url.pathname === '/start'
          ? { status: 303, location: 'https://cdn.example/result' }
          : { status: 204 },
      {
        method: 'POST',
        body: 'payload',
        headers: { 'content-type': 'text/plain', cookie: 'session=1' },
      },
    );
    expect(wire.seen[1]).toMatchObject({
      url: 'https://cdn.example/result',
      method: 'GET',
      authorization: null,
      contentType: null,
      cookie: null,
      body: '',
    });
  });

  it('replays a 401 on a hop once, on that hop, with a fresh token', async () => {
    const { response, wire, provider } = await follow((url, n) =>
      url.pathname === '/start'
        ? { status: 302, location: '/next' }
        : { status: n === 2 ? 401 : 204 },
    );
    expect(response.status).toBe(204);
    expect(wire.seen.map((s) => [s.url, s.method, s.authorization])).toEqual([
      [`${API}/start`, 'POST', 'Bearer token-1'],
      [`${API}/next`, 'GET', 'Bearer token-1'],
      [`${API}/next`, 'GET', 'Bearer token-2'],
    ]);
    expect(provider.invalidated).toEqual([['token-1', undefined]]);
  });

  it('keeps the body for every later hop and the replay of a kept POST', async () => {
    const { wire } = await follow((url, n) =>
      url.pathname === '/start'
        ? { status: 308, location: '/a' }
        : url.pathname === '/a'
          ? { status: 307, location: '/b' }
          : { status: n === 3 ? 401 : 204 },
    );
    expect(wire.seen.map((s) => `${new URL(s.url).pathname} ${s.body}`)).toEqual([
      '/start payload',
      '/a payload',
      '/b payload',
      '/b payload',
    ]);
  });

  it("fails as fetch does on a Location it cannot follow, after cancelling that answer's body", async () => {
    const error = await follow(() => ({ status: 302, location: 'ftp://files.example/x' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as Error).message).toBe(
      'URL scheme must be a HTTP(S) scheme',
    );
  });

  it('follows a body that goes only once where the redirect drops it (303), nowhere else', async () => {
    const to = (status: number) => (url: URL) =>
      url.pathname === '/start' ? { status, location: '/next' } : { status: 204 };
    const init = { method: 'POST', body: 'payload' };
    expect((await follow(to(303), init, false)).response.status).toBe(204);
    const error = await follow(to(307), init, false).catch((e: unknown) => e);
    expect(((error as TypeError).cause as Error).message).toBe(
      'a redirect would send a one-shot body again',
    );
  });

  it('follows a GET with no body, through redirects that have no body either', async () => {
    const { response, wire } = await follow(
      (url) =>
        url.pathname === '/start'
          ? { status: 303, location: '/a', empty: true } // a GET stays a GET, body or not
          : url.pathname === '/a'
            ? { status: 307, location: '/b', empty: true }
            : { status: 204 },
      { method: 'GET' },
    );
    expect(response.status).toBe(204);
    expect(wire.seen.map((s) => `${s.method} ${new URL(s.url).pathname} ${s.body}`)).toEqual([
      'GET /start ',
      'GET /a ',
      'GET /b ',
    ]);
  });

  it('fails on a bad Location of an answer with no body as on any other', async () => {
    const error = await follow(() => ({
      status: 302,
      location: 'ftp://files.example/x',
      empty: true,
    })).catch((e: unknown) => e);
    expect((error as TypeError).message).toBe('fetch failed');
  });

  it('stops after 20 redirects', async () => {
    const error = await follow((_url, n) => ({ status: 302, location: `/hop-${n}` })).catch(
      (e: unknown) => e,
    );
    expect(((error as TypeError).cause as Error).message).toBe('redirect count exceeded');
  });
});

describe('requestAttempts without redirects', () => {
  it('sends the Request, then a copy taken before it for the replay of its 401', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: [API] });
    const wire = transport((_url, n) => ({ status: n === 1 ? 401 : 204 }));
    const request = new Request(`${API}/start`, { method: 'PUT', body: 'payload' });
    const response = await policy.send(
      { url: request.url, method: request.method, body: request.body, resendable: true },
      requestAttempts(request, wire.send),
    );
    expect(response.status).toBe(204);
    expect(wire.seen.map((s) => [s.method, s.authorization, s.body, s.redirect])).toEqual([
      ['PUT', 'Bearer token-1', 'payload', undefined],
      ['PUT', 'Bearer token-2', 'payload', undefined],
    ]);
  });

  it('copies a Request only when a body may go again: one copy for a replay, none else', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: [API] });
    const copies = clones();
    const send = async (init: RequestInit, resendable: boolean) => {
      const wire = transport((_url, n) => ({ status: n === 1 ? 401 : 204 }));
      const request = new Request(`${API}/start`, init);
      copies.mockClear();
      const response = await policy.send(
        { url: request.url, method: request.method, body: request.body, resendable },
        requestAttempts(request, wire.send),
      );
      return [response.status, wire.seen.length, copies.mock.calls.length];
    };
    // A replayable body: copied before the first send, not again before the replay.
    expect(await send({ method: 'PUT', body: 'payload' }, true)).toEqual([204, 2, 1]);
    // No body: nothing to copy, replayed all the same.
    expect(await send({ method: 'GET' }, true)).toEqual([204, 2, 0]);
    // A body that goes only once: never copied, its 401 handed back.
    expect(await send({ method: 'PUT', body: 'payload' }, false)).toEqual([401, 1, 0]);
  });

  it('sends a request that is not ours as it is', async () => {
    const { tokens } = bearerProvider();
    const policy = createRequestPolicy(tokens, { origins: [API] });
    const wire = transport(() => ({ status: 204 }));
    const request = new Request('https://elsewhere.example/', {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    await policy.send({ url: request.url }, requestAttempts(request, wire.send));
    expect(wire.seen).toMatchObject([{ authorization: 'Basic dXNlcjpwYXNz' }]);
  });
});
