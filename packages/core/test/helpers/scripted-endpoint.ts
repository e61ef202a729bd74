/**
 * A token endpoint as a `fetch` function, for tests that run under fake timers: replies
 * are scripted per request, an optional delay uses `setTimeout` (so the fake clock drives
 * it), and every request is recorded.
 */
import type { TokenEvent } from '../../src/events.ts';
import type { TokenProviderOptions } from '../../src/options.ts';
import { createTokenProvider } from '../../src/token-provider.ts';

export type Reply =
  | { status?: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { networkError: string }
  | { hang: true };

export interface ScriptedEndpoint {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Form bodies of the requests received, in order. */
  readonly requests: URLSearchParams[];
  /** `Date.now()` when each request arrived (fake time under fake timers). */
  readonly arrivals: number[];
  /** Authorization headers of the requests received, in order. */
  readonly authorizations: Array<string | null>;
  /** The next replies; when empty, `fallback` answers. */
  queue: Reply[];
}

let serial = 0;

/** A 200 with a fresh token `tok-N` (N counts across the test file) living `expiresIn` s. */
export const issue = (expiresIn: number | string = 3600, extra: object = {}): Reply => ({
  body: { access_token: `tok-${++serial}`, token_type: 'Bearer', expires_in: expiresIn, ...extra },
});

export function scriptedEndpoint(fallback: () => Reply = () => issue()): ScriptedEndpoint {
  const endpoint: ScriptedEndpoint = {
    requests: [],
    arrivals: [],
    authorizations: [],
    queue: [],
    fetch: async (_url, init) => {
      endpoint.requests.push(new URLSearchParams(String(init.body)));
      endpoint.arrivals.push(Date.now());
      endpoint.authorizations.push(new Headers(init.headers).get('authorization'));
      const reply = endpoint.queue.shift() ?? fallback();
      if ('networkError' in reply)
        throw new TypeError('fetch failed', { cause: { code: reply.networkError } });
      const signal = init.signal;
      if ('hang' in reply) {
        return new Promise<Response>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      if (reply.delayMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, reply.delayMs);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        });
      }
      return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
        status: reply.status ?? 200,
        headers: { 'content-type': 'application/json', ...reply.headers },
      });
    },
  };
  return endpoint;
}

/** A provider on `endpoint` that records its events; `options` override the defaults. */
export function scriptedProvider(
  endpoint: ScriptedEndpoint,
  options: Partial<TokenProviderOptions> = {},
) {
  const events: TokenEvent[] = [];
  const tokens = createTokenProvider({
    tokenUrl: 'https://auth.example.test/oauth/v2/token',
    clientId: 'client',
    clientSecret: 'secret-value',
    fetch: endpoint.fetch,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { endpoint, tokens, events };
}
