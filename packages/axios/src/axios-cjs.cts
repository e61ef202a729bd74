/**
 * axios' CommonJS declarations (`index.d.cts`), which a `.cts` file or a CommonJS project
 * gets for `require('axios')` and `import axios from 'axios'`; ES modules get `index.d.ts`.
 * In this `.cts` file `'axios'` resolves as a `require` does, so the instance type below is
 * the CommonJS one and the augmentation gives those declarations our `m2mAuth` field too
 * (`axios-auth.ts` augments the ESM ones). Types only: nothing loads the emitted `.cjs`.
 */
import type { AxiosInstance } from 'axios';
import type { AxiosAuthRequestOptions } from './request-options.ts';

export type CjsAxiosInstance = AxiosInstance;

declare module 'axios' {
  interface AxiosRequestConfig {
    /** `@m2m-auth/axios` per-request settings: `{ skip: true }` or `{ scope: 'tenant/acme' }`. */
    m2mAuth?: AxiosAuthRequestOptions;
  }
}
