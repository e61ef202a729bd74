/**
 * The public API's types, checked by `tsc -b` in `npm test` (expectTypeOf is a no-op at run
 * time): what users write must compile, and what they must not write must not.
 */
import { createTokenProvider, type TokenProvider } from '@m2m-auth/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type FetchAuthOptions, type FetchFunction, fetchAuth } from '../src/index.ts';

const tokens: TokenProvider = createTokenProvider({
  tokenUrl: 'https://auth.example/oauth/v2/token',
  clientId: 'id',
  clientSecret: 'secret',
});

describe('@m2m-auth/fetch types', () => {
  it('returns a function that stands wherever fetch is expected', () => {
    const authed = fetchAuth(tokens, { origins: ['https://api.example'] });
    expectTypeOf(authed).toEqualTypeOf<FetchFunction>();
    expectTypeOf(authed).toExtend<
      typeof globalThis.fetch extends (...a: infer A) => infer R ? (...a: A) => R : never
    >();
    expectTypeOf(authed).parameter(0).toEqualTypeOf<RequestInfo | URL>();
    expectTypeOf(authed).returns.toEqualTypeOf<Promise<Response>>();
    expect(typeof authed).toBe('function');
  });

  it('takes origins as a list, one origin or "*", a custom fetch, and nothing else', () => {
    expectTypeOf<FetchAuthOptions>().toHaveProperty('origins');
    const compiles = () => [
      fetchAuth(tokens, { origins: '*', allowInsecureHttp: true, fetch: globalThis.fetch }),
      // @ts-expect-error origins are strings
      fetchAuth(tokens, { origins: [42] }),
      // @ts-expect-error the provider comes first
      fetchAuth({ origins: ['https://api.example'] }),
    ];
    expect(typeof compiles).toBe('function'); // type-checked by tsc, never run
  });
});
