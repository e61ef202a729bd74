export type { KyAuthOptions, KyAuthRequestOptions } from './ky-auth.ts';
export { kyAuth } from './ky-auth.ts';
