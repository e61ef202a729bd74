/**
 * For a test file whose token endpoint is nock: no real network while it runs, interceptors
 * cleared after each test, and providers on a token URL that record their events.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TokenEvent } from '../../src/events.ts';
import type { TokenProviderOptions } from '../../src/options.ts';
import { createTokenProvider } from '../../src/token-provider.ts';

export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());
}

/** A provider on `tokenUrl` with a client id and secret; `options` override them. */
export function nockProvider(tokenUrl: string, options: Partial<TokenProviderOptions> = {}) {
  const events: TokenEvent[] = [];
  const tokens = createTokenProvider({
    tokenUrl,
    clientId: 'client',
    clientSecret: 'client-secret',
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { tokens, events };
}
