/**
 * The public API's types for a CommonJS TypeScript user: in a `.cts` file `axios` resolves to
 * axios' CommonJS declarations (`index.d.cts`), not the ESM ones our source imports.
 * Type-checked by `tsc -b` (tsconfig.tests.json), never run; type-only imports, as
 * `verbatimModuleSyntax` requires in a CommonJS file.
 */
import type { AxiosRequestConfig, AxiosStatic } from 'axios';
import type * as m2m from '../src/index.ts';

declare const axios: AxiosStatic;
declare const axiosAuth: typeof m2m.axiosAuth;
declare const tokens: Parameters<typeof m2m.axiosAuth>[1];

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const field: Equal<AxiosRequestConfig['m2mAuth'], m2m.AxiosAuthRequestOptions | undefined> = true;

const instance = axios.create({ baseURL: 'https://api.example' });
const eject: () => void = axiosAuth(instance, tokens);
const calls = [
  axiosAuth(axios, tokens),
  instance.get('/things', { m2mAuth: { skip: true } }),
  instance.get('/things', { m2mAuth: { scope: ['a', 'b'] } }),
  // @ts-expect-error a scope is a string or a list of strings
  instance.get('/things', { m2mAuth: { scope: 42 } }),
  // @ts-expect-error not an axios instance
  axiosAuth({}, tokens),
];

export type { calls, eject, field };
