export type { FetchAuthOptions, FetchFunction } from './fetch-auth.ts';
export { fetchAuth } from './fetch-auth.ts';
