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
    expectTypeOf(options).toEqualTypeOf<ExtendOptions>();
    const client = got.extend({ prefixUrl: 'https://api.example' }, options);
    expect(typeof client.get).toBe('function');
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
