/**
 * The public API's types, checked by `tsc -b` in `npm test` (expectTypeOf is a no-op at run
 * time): what users write must compile, and what they must not write must not.
 */
import { createTokenProvider, type TokenProvider } from '@m2m-auth/core';
import ky from 'ky';
import ky1 from 'ky-1';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type KyAuthRequestOptions, kyAuth } from '../src/index.ts';

const tokens: TokenProvider = createTokenProvider({
  tokenUrl: 'https://auth.example/oauth/v2/token',
  clientId: 'id',
  clientSecret: 'secret',
});

describe('@m2m-auth/ky types', () => {
  it('spreads into ky.create() for ky 2 and ky 1, and into extend()', () => {
    const auth = kyAuth(tokens, { baseUrl: 'https://api.example' });
    const api = ky.create({ baseUrl: 'https://api.example', ...auth });
    const extended = ky.extend(auth);
    const api1 = ky1.create({ prefixUrl: 'https://api.example', ...auth });
    expectTypeOf(auth.fetch).toExtend<(input: Request, init?: RequestInit) => Promise<Response>>();
    expect([api, extended, api1].every((client) => typeof client.get === 'function')).toBe(true);
  });

  it('takes per-request settings through ky context', () => {
    const settings: KyAuthRequestOptions = { scope: ['tenant/globex'], skip: false };
    const api = ky.create(kyAuth(tokens, { origins: ['https://api.example'] }));
    const compiles = () => [
      api.get('https://api.example/things', { context: { m2mAuth: settings } }),
      // @ts-expect-error a scope is a string or a list of strings
      { scope: 42 } satisfies KyAuthRequestOptions,
      // @ts-expect-error a custom fetch goes to kyAuth with fetch's signature
      kyAuth(tokens, { origins: '*', fetch: 'not a function' }),
    ];
    expect(typeof compiles).toBe('function'); // type-checked by tsc, never run
  });
});
