/**
 * A Bearer provider for request-exchange tests: hands out token-1, token-2, ... (the next one
 * once the current is invalidated) and records every `getToken` and `invalidate`.
 */
import type { InvalidateOptions, TokenProvider } from '../../src/token-provider.ts';

export interface BearerProviderOptions {
  /** `getToken` fails from this call on (a refresh that cannot be had). */
  failAfter?: number;
  /** Nothing is ever invalidated: no fresher token comes (the provider backs off). */
  stuck?: boolean;
}

export function bearerProvider(options: BearerProviderOptions = {}) {
  const seen = { invalidated: [] as Array<[string, InvalidateOptions | undefined]>, gets: 0 };
  let current = 1;
  const tokens: TokenProvider = {
    scope: undefined,
    async getToken(getOptions) {
      seen.gets++;
      if (getOptions?.signal?.aborted) throw getOptions.signal.reason;
      if (options.failAfter !== undefined && seen.gets > options.failAfter) {
        throw new Error('token endpoint down');
      }
      return { accessToken: `token-${current}`, tokenType: 'Bearer', expiresAt: 0 };
    },
    async invalidate(token, invalidateOptions) {
      seen.invalidated.push([token, invalidateOptions]);
      if (invalidateOptions?.refusedAfterRefresh || options.stuck) return false;
      if (token === `token-${current}`) current++;
      return true;
    },
    forScope: () => tokens,
  };
  return { tokens, seen };
}
