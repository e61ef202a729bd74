import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REDACTED, scrubTokens } from '../src/token-scrubber.ts';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.payload.signature';

describe('scrubTokens', () => {
  it('masks a token in nested strings, header objects, Headers and a Request, keeping the rest', () => {
    const request = new Request('https://api.example/x', {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-trace': 'kept' },
    });
    const error = Object.assign(new TypeError('Request failed with status code 403'), {
      code: 'ERR_BAD_REQUEST',
      config: { headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } },
      request: { _header: `GET /x HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n` },
      fetchRequest: request,
      headers: new Headers({ authorization: `Bearer ${TOKEN}` }),
      list: [{ deep: { deeper: [`token=${TOKEN}`] } }],
    });
    const same = scrubTokens(error, [TOKEN]);
    expect(same).toBe(error);
    expect(same).toBeInstanceOf(TypeError);
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
    expect(error.config.headers).toEqual({
      Authorization: `Bearer ${REDACTED}`,
      Accept: 'application/json',
    });
    expect(error.request._header).toBe(
      `GET /x HTTP/1.1\r\nAuthorization: Bearer ${REDACTED}\r\n\r\n`,
    );
    expect(request.headers.get('authorization')).toBe(`Bearer ${REDACTED}`);
    expect(request.headers.get('x-trace')).toBe('kept');
    expect(error.message).toBe('Request failed with status code 403');
    expect(error.code).toBe('ERR_BAD_REQUEST');
  });

  it('reaches headers under symbol keys and behind a headers getter, as Node and got keep them', () => {
    const outHeaders = Symbol('kOutHeaders');
    class Options {
      readonly #headers = { authorization: `Bearer ${TOKEN}` };
      get headers() {
        return this.#headers;
      }
    }
    const error = {
      request: { [outHeaders]: { authorization: ['Authorization', `Bearer ${TOKEN}`] } },
      options: new Options(),
    };
    scrubTokens(error, [TOKEN]);
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
    expect(error.options.headers.authorization).toBe(`Bearer ${REDACTED}`);
  });

  it('survives cycles, read-only and throwing properties, and huge graphs', () => {
    const node: Record<string, unknown> = { value: TOKEN };
    node['self'] = node;
    Object.defineProperty(node, 'frozen', { value: TOKEN, enumerable: true, writable: false });
    Object.defineProperty(node, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    let chain: Record<string, unknown> = {};
    const head = chain;
    for (let i = 0; i < 10_000; i++) chain = chain['next'] = {} as Record<string, unknown>;
    node['chain'] = head;
    expect(() => scrubTokens(node, [TOKEN])).not.toThrow();
    expect(node['value']).toBe(REDACTED);
  });

  it('leaves values alone when there is nothing worth masking', () => {
    const error = { note: 'a' };
    expect(scrubTokens(error, [])).toEqual({ note: 'a' });
    expect(scrubTokens(error, ['a'])).toEqual({ note: 'a' }); // too short to be a token
    expect(scrubTokens('plain', [TOKEN])).toBe('plain');
  });

  it("gives a Response whose headers cannot change a masked copy of them (ky's HTTPError)", () => {
    const echoed = Response.redirect(`https://api.example/next?token=${TOKEN}`, 302);
    expect(() => echoed.headers.set('location', 'x')).toThrow(TypeError); // immutable
    const error = { response: echoed, status: 302 };
    scrubTokens(error, [TOKEN]);
    expect(error.response.headers.get('location')).toBe(
      `https://api.example/next?token=${REDACTED}`,
    );
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
    // One built by hand can change: masked where it is.
    const own = new Response(null, { headers: { 'x-echo-authorization': `Bearer ${TOKEN}` } });
    const headers = own.headers;
    scrubTokens({ own }, [TOKEN]);
    expect(own.headers).toBe(headers);
    expect(headers.get('x-echo-authorization')).toBe(`Bearer ${REDACTED}`);
  });

  it('walks 8 levels below the error, and 5 000 objects in all, each object once', () => {
    let deep: Record<string, unknown> = { value: TOKEN };
    const levels = [deep];
    for (let i = 0; i < 9; i++) {
      deep = { next: deep };
      levels.unshift(deep);
    }
    scrubTokens(levels[1], [TOKEN]); // the token 8 levels below
    expect(levels.at(-1)?.['value']).toBe(REDACTED);
    const deeper = {
      next: {
        next: {
          next: { next: { next: { next: { next: { next: { next: { value: TOKEN } } } } } } },
        },
      },
    };
    scrubTokens(deeper, [TOKEN]);
    expect(JSON.stringify(deeper)).toContain(TOKEN); // 9 levels: not reached
    // The root, the list, then 4 998 entries: the 4 999th entry is the 5 001st object.
    const list = Array.from({ length: 6000 }, () => ({ value: TOKEN }));
    scrubTokens({ list }, [TOKEN]);
    expect([list[4997]?.value, list[4998]?.value]).toEqual([REDACTED, TOKEN]);
    // An object met again is not counted again: one shared config referenced 6 000 times.
    const shared = { headers: { accept: 'application/json' } };
    const many = { attempts: Array.from({ length: 6000 }, () => shared), last: { value: TOKEN } };
    scrubTokens(many, [TOKEN]);
    expect(many.last.value).toBe(REDACTED);
  });

  it('masks tokens of 8 characters or more, in errors with values of every kind', () => {
    const error = {
      status: 403,
      ok: false,
      missing: undefined,
      nothing: null,
      when: new Date(0),
      body: new Uint8Array([1, 2, 3]),
      buffer: new ArrayBuffer(4),
      header: 'Bearer 12345678',
    };
    expect(() => scrubTokens(error, ['12345678'])).not.toThrow();
    expect(error.header).toBe(`Bearer ${REDACTED}`);
    expect(error.status).toBe(403);
    expect(scrubTokens(null, [TOKEN])).toBeNull();
    expect(scrubTokens(undefined, [TOKEN])).toBeUndefined();
  });
});
