/**
 * The public API's types, checked by `tsc -b` in `npm test` (expectTypeOf is a no-op at run
 * time): what users write must compile, and what they must not write must not.
 */
import { createTokenProvider, type TokenProvider } from '@m2m-auth/core';
import got, { type ExtendOptions } from 'got';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type GotAuthRequestOptions, gotAuth } from '../src/index.ts';

const tokens: TokenProvider = createTokenProvider({
  tokenUrl: 'https://auth.example/oauth/v2/token',
  clientId: 'id',
  clientSecret: 'secret',
});

describe('@m2m-auth/got types', () => {
  it('returns options for got.extend()', () => {
    const options = gotAuth(tokens, { prefixUrl: 'https://api.example' });
    expectTypeOf(options).toExtend<ExtendOptions>();
    const client = got.extend({ prefixUrl: 'https://api.example' }, options);
    expect(typeof client.get).toBe('function');
  });

  it("keeps got's response types through got.extend(..., gotAuth())", () => {
    const client = got.extend(
      { prefixUrl: 'https://api.example' },
      gotAuth(tokens, { prefixUrl: 'https://api.example' }),
    );
    const typed = async () => {
      const response = await client.get('things');
      expectTypeOf(response.body).toEqualTypeOf<string>();
      expectTypeOf(await client.get('things').json<{ id: number }>()).toEqualTypeOf<{
        id: number;
      }>();
      const parsed = await client.get<{ id: number }>('things', { responseType: 'json' });
      expectTypeOf(parsed.body).toEqualTypeOf<{ id: number }>();
      const json = got.extend(gotAuth(tokens, { origins: '*' }), { responseType: 'json' });
      expectTypeOf((await json.get<{ ok: true }>('https://api.example/x')).body).toEqualTypeOf<{
        ok: true;
      }>();
      expectTypeOf(client.extend({ headers: { 'x-a': '1' } }).get).toBeFunction();
    };
    expect(typeof typed).toBe('function'); // type-checked by tsc, never run
  });

  it('takes per-request settings through got context', () => {
    const settings: GotAuthRequestOptions = { scope: 'tenant/globex', skip: false };
    const client = got.extend(gotAuth(tokens, { origins: ['https://api.example'] }));
    const compiles = () => [
      client.get('https://api.example/things', { context: { m2mAuth: settings } }),
      // @ts-expect-error a scope is a string or a list of strings
      { scope: 42 } satisfies GotAuthRequestOptions,
      // @ts-expect-error prefixUrl is a string or URL
      gotAuth(tokens, { prefixUrl: 42 }),
    ];
    expect(typeof compiles).toBe('function'); // type-checked by tsc, never run
  });
});
