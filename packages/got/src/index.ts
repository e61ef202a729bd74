export type { GotAuthHooks, GotAuthOptions, GotAuthRequestOptions } from './got-auth.ts';
export { gotAuth } from './got-auth.ts';
