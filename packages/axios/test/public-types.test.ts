/**
 * The public API's types, checked by `tsc -b` in `npm test` (expectTypeOf is a no-op at run
 * time): what users write must compile, and what they must not write must not.
 */
import { createTokenProvider, type TokenProvider } from '@m2m-auth/core';
import axios, { type AxiosRequestConfig } from 'axios';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type AxiosAuthRequestOptions, axiosAuth } from '../src/index.ts';

const tokens: TokenProvider = createTokenProvider({
  tokenUrl: 'https://auth.example/oauth/v2/token',
  clientId: 'id',
  clientSecret: 'secret',
});

describe('@m2m-auth/axios types', () => {
  it('installs on an instance and returns eject()', () => {
    const instance = axios.create({ baseURL: 'https://api.example' });
    const eject = axiosAuth(instance, tokens);
    expectTypeOf(eject).toEqualTypeOf<() => void>();
    eject();
    expect(typeof eject).toBe('function');
  });

  it('adds a typed m2mAuth field to every axios request config', () => {
    expectTypeOf<AxiosRequestConfig['m2mAuth']>().toEqualTypeOf<
      AxiosAuthRequestOptions | undefined
    >();
    const instance = axios.create({ baseURL: 'https://api.example' });
    const compiles = () => [
      instance.get('/things', { m2mAuth: { scope: 'tenant/globex' } }),
      instance.get('/things', { m2mAuth: { scope: ['a', 'b'], skip: false } }),
      // @ts-expect-error a scope is a string or a list of strings
      instance.get('/things', { m2mAuth: { scope: 42 } }),
      // @ts-expect-error no such setting
      instance.get('/things', { m2mAuth: { retry: true } }),
      // @ts-expect-error the instance comes first
      axiosAuth(tokens, instance),
    ];
    expect(typeof compiles).toBe('function'); // type-checked by tsc, never run
  });
});
