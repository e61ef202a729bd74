export type { UndiciAuthOptions, UndiciInterceptor } from './undici-auth.ts';
export { undiciAuth } from './undici-auth.ts';
