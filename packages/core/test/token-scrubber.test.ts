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
});
