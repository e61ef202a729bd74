import { describe, expect, it } from 'vitest';
import { firstHop, MAX_REDIRECTS, nextHop, normalizeMethod } from '../src/redirect-hop.ts';

const start = (method = 'POST') => firstHop('https://api.example.test/a/b?q=1#frag', method);

/** fetch's network error, and why. */
function failure(run: () => unknown): { name: string; message: string; cause: string } {
  try {
    run();
  } catch (error) {
    const { name, message, cause } = error as TypeError & { cause: Error };
    return { name, message, cause: cause.message };
  }
  throw new Error('no failure');
}

describe('redirect hops (the Fetch standard)', () => {
  it('starts from the request as given, its method normalized as fetch does', () => {
    expect(start('post')).toMatchObject({ method: 'POST', count: 0, body: true, dropHeaders: [] });
    expect(normalizeMethod('patch')).toBe('patch');
    expect(normalizeMethod(undefined)).toBe('GET');
  });

  it('is no hop for other statuses or without a Location', () => {
    for (const status of [200, 300, 304, 305, 306, 401]) {
      expect(nextHop(start(), status, '/elsewhere', true)).toBeUndefined();
    }
    expect(nextHop(start(), 302, null, true)).toBeUndefined();
    expect(nextHop(start(), 302, undefined, true)).toBeUndefined();
  });

  it('resolves Location against the current URL and keeps the fragment when it has none', () => {
    expect(nextHop(start(), 307, 'c', true)?.url.href).toBe('https://api.example.test/a/c#frag');
    expect(nextHop(start(), 307, '/d#own', true)?.url.href).toBe('https://api.example.test/d#own');
  });

  it('turns POST into GET on 301/302, anything but GET/HEAD into GET on 303, without the body', () => {
    const bodyHeaders = [
      'content-encoding',
      'content-language',
      'content-location',
      'content-type',
      'content-length',
    ];
    const cases: Array<[number, string, string, boolean]> = [
      [301, 'POST', 'GET', false],
      [302, 'POST', 'GET', false],
      [301, 'PUT', 'PUT', true],
      [302, 'DELETE', 'DELETE', true],
      [303, 'PUT', 'GET', false],
      [303, 'HEAD', 'HEAD', true],
      [303, 'GET', 'GET', true],
      [307, 'POST', 'POST', true],
      [308, 'PATCH', 'PATCH', true],
    ];
    for (const [status, method, becomes, body] of cases) {
      const hop = nextHop(start(method), status, '/next', true);
      expect([status, method, hop?.method, hop?.body]).toEqual([status, method, becomes, body]);
      expect(hop?.dropHeaders).toEqual(body ? [] : bodyHeaders);
    }
  });

  it('takes Authorization, Proxy-Authorization, Cookie and DPoP off on a change of origin, for good', () => {
    const away = nextHop(start('GET'), 302, 'https://other.example.test/x', true);
    expect(away?.dropHeaders).toEqual(['authorization', 'proxy-authorization', 'cookie', 'dpop']);
    // Back on the first origin the headers stay off, as fetch removed them from the request.
    const back = away && nextHop(away, 302, 'https://api.example.test/y', true);
    expect(back?.dropHeaders).toEqual(away?.dropHeaders);
    // Another scheme or port is another origin.
    expect(nextHop(start('GET'), 302, 'http://api.example.test/a', true)?.dropHeaders).toHaveLength(
      4,
    );
    expect(
      nextHop(start('GET'), 302, 'https://api.example.test:8443/', true)?.dropHeaders,
    ).toHaveLength(4);
    // A hop that stays keeps the request's body once it has dropped it.
    const get = nextHop(start('POST'), 303, '/g', true);
    expect(get && nextHop(get, 307, '/h', true)?.body).toBe(false);
  });

  it('fails as fetch does: a bad or non-HTTP(S) Location, the 21st redirect, a one-shot body', () => {
    expect(failure(() => nextHop(start(), 302, 'http://[::1', true))).toEqual({
      name: 'TypeError',
      message: 'fetch failed',
      cause: 'invalid location URL',
    });
    expect(failure(() => nextHop(start(), 302, 'data:text/plain,hi', true)).cause).toBe(
      'URL scheme must be a HTTP(S) scheme',
    );
    let hop = start('GET');
    for (let i = 0; i < MAX_REDIRECTS; i++) hop = nextHop(hop, 302, `/${i}`, true) ?? hop;
    expect(hop.count).toBe(20);
    expect(failure(() => nextHop(hop, 302, '/21', true)).cause).toBe('redirect count exceeded');
    for (const status of [301, 302, 307, 308]) {
      expect(failure(() => nextHop(start(), status, '/x', false)).cause).toMatch(/one-shot body/);
    }
    expect(nextHop(start(), 303, '/x', false)).toMatchObject({ method: 'GET', body: false });
  });

  it('stops past a client’s own limit when one is given (axios’ maxRedirects)', () => {
    let hop = start('GET');
    for (let i = 0; i < 3; i++) hop = nextHop(hop, 302, `/${i}`, true, 3) ?? hop;
    expect(hop.count).toBe(3);
    expect(failure(() => nextHop(hop, 302, '/4', true, 3)).cause).toBe('redirect count exceeded');
    for (let i = 3; i < 21; i++) hop = nextHop(hop, 302, `/${i}`, true, 21) ?? hop;
    expect(hop.count).toBe(21);
  });
});
