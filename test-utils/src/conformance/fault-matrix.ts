/**
 * The fault matrix of issue 7, run through an adapter: one fault per row at the token
 * endpoint or the API, and for each what the caller sees, how many token requests were made,
 * what the API received (nothing lost, nothing sent twice where it must not be), that nothing
 * the library emitted holds the secret or a token, and, after the last row, that no timer or
 * socket was left open. Plus the caller aborting mid-refresh, through the client's own
 * signal option.
 */
import type { TokenProviderOptions } from '@m2m-auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileProvider } from '../profile-provider.ts';
import { createLeakScan } from './leak-scan.ts';
import { type HandleTracker, trackHandles } from './open-handles.ts';
import type { ConformanceServers, MakeClient, UniformClient } from './types.ts';
import { useTestServers } from './use-test-servers.ts';

interface MatrixRow {
  title: string;
  provider?: Partial<TokenProviderOptions>;
  /** Faults to inject, or requests to make first. */
  arrange?: (servers: ConformanceServers, request: UniformClient) => Promise<void> | void;
  /** The request under test. */
  path: string;
  /** What the caller sees: an HTTP status, or the `code` of the typed error it is handed. */
  sees: { status: number } | { code: string };
  /** Status of each token request at the authorization server, in order (0: reset). */
  tokenRequests: number[];
  /** Every request the API received, as `path status`, in order. */
  apiRequests: string[];
}

// Short waits so the whole matrix takes about the one second a Retry-After costs.
const FAST: Partial<TokenProviderOptions> = {
  timeoutMs: 2_000,
  retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 2_000 },
};

const ROWS: MatrixRow[] = [
  {
    title: 'waits for a slow token endpoint within timeoutMs: one token request, one API call',
    arrange: ({ auth }) => auth.control.inject({ type: 'delay', ms: 300 }),
    path: '/echo/slow',
    sees: { status: 200 },
    tokenRequests: [200],
    apiRequests: ['/echo/slow 200'],
  },
  {
    title: 'retries a token request whose connection is reset, then calls the API once',
    arrange: ({ auth }) => auth.control.inject({ type: 'reset' }),
    path: '/echo/reset',
    sees: { status: 200 },
    tokenRequests: [0, 200],
    apiRequests: ['/echo/reset 200'],
  },
  {
    title: 'retries 5xx answers from the token endpoint, then calls the API once',
    arrange: ({ auth }) => {
      auth.control.inject({ type: 'status', status: 500 });
      auth.control.inject({ type: 'status', status: 502 });
    },
    path: '/echo/5xx',
    sees: { status: 200 },
    tokenRequests: [500, 502, 200],
    apiRequests: ['/echo/5xx 200'],
  },
  {
    title: 'waits out a 429 with Retry-After at the token endpoint, then calls the API once',
    arrange: ({ auth }) => auth.control.inject({ type: 'rate-limit', retryAfterSeconds: 1 }),
    path: '/echo/429',
    sees: { status: 200 },
    tokenRequests: [429, 200],
    apiRequests: ['/echo/429 200'],
  },
  {
    title: 'fails with M2M_INVALID_RESPONSE on an HTML 200 token response, without calling the API',
    arrange: ({ auth }) => auth.control.inject({ type: 'html' }),
    path: '/echo/html',
    sees: { code: 'M2M_INVALID_RESPONSE' },
    tokenRequests: [200],
    apiRequests: [],
  },
  {
    title:
      'fails with M2M_RESPONSE_TOO_LARGE on an oversized token response, without calling the API',
    arrange: ({ auth }) => auth.control.inject({ type: 'oversized' }),
    path: '/echo/oversized',
    sees: { code: 'M2M_RESPONSE_TOO_LARGE' },
    tokenRequests: [200],
    apiRequests: [],
  },
  {
    title: 'returns a 401 that survives the replay: two API calls, two token requests',
    path: '/always-401',
    sees: { status: 401 },
    tokenRequests: [200, 200],
    apiRequests: ['/always-401 401', '/always-401 401'],
  },
  {
    title:
      'replays a request refused after a revocation once, with a fresh token: the caller sees 200',
    arrange: async ({ auth, api }, request) => {
      expect((await request({ url: `${api.url}/echo/warm` })).status).toBe(200);
      auth.control.revokeAll();
    },
    path: '/echo/revoked',
    sees: { status: 200 },
    tokenRequests: [200, 200],
    apiRequests: ['/echo/warm 200', '/echo/revoked 401', '/echo/revoked 200'],
  },
  {
    title: 'passes a 403 through untouched: one API call, one token request',
    path: '/forbidden',
    sees: { status: 403 },
    tokenRequests: [200],
    apiRequests: ['/forbidden 403'],
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeFaultMatrix(name: string, makeClient: MakeClient): void {
  describe(`${name} fault matrix`, () => {
    let handles: HandleTracker | undefined;
    afterAll(() => handles?.disable());

    describe('each fault, through the adapter', () => {
      beforeAll(() => {
        handles = trackHandles();
      });
      // Registered before the servers, so it runs after they are closed (hooks unwind).
      afterAll(() => handles?.stopRecording());
      const servers = useTestServers();

      it.each(ROWS.map((row) => [row.title, row] as const))('%s', async (_title, row) => {
        const scan = createLeakScan('demo-client', 'demo-secret');
        const provider = profileProvider(servers.auth, 'generic', {
          ...FAST,
          ...row.provider,
          ...scan.providerOptions,
        });
        const request = await makeClient({ provider, origins: [servers.api.url], servers });
        await row.arrange?.(servers, request);

        const outcome = await request({ url: `${servers.api.url}${row.path}` }).then(
          (response) => ({ status: response.status }),
          (error: unknown) => {
            scan.record(error);
            return error as object;
          },
        );

        // (a) what the caller sees
        expect(outcome).toMatchObject(row.sees);
        // (b) token requests
        const tokenRequests = servers.auth.stats.requests;
        expect(tokenRequests.map((r) => r.status)).toEqual(row.tokenRequests);
        expect(servers.auth.stats.total).toBe(row.tokenRequests.length);
        if (tokenRequests[0]?.status === 429) {
          // Retry-After: 1 was honoured (a lower bound only: never a flaky upper one).
          expect((tokenRequests[1]?.at ?? 0) - tokenRequests[0].at).toBeGreaterThanOrEqual(900);
        }
        // (c) what the API received
        expect(servers.api.requests.map((r) => `${r.path} ${r.status}`)).toEqual(row.apiRequests);
        expect(servers.api.counters.total).toBe(row.apiRequests.length);
        // (d) nothing emitted holds the secret, the Basic value or a token
        if (row.tokenRequests.includes(200) && !('code' in row.sees)) {
          expect(scan.tokens(servers.api).size).toBeGreaterThan(0);
        }
        expect(scan.leaks(servers.api)).toEqual([]);
      });

      it('lets the caller abort while the token request is out: the caller rejects, the shared request goes on, the next call uses its token', async () => {
        const scan = createLeakScan('demo-client', 'demo-secret');
        const provider = profileProvider(servers.auth, 'generic', {
          ...FAST,
          ...scan.providerOptions,
        });
        const request = await makeClient({ provider, origins: [servers.api.url], servers });
        servers.auth.control.inject({ type: 'delay', ms: 400 });
        const out = servers.auth.nextTokenRequest();
        const controller = new AbortController();
        const aborted = request({
          url: `${servers.api.url}/echo/aborted`,
          signal: controller.signal,
        }).then(
          () => 'resolved',
          (error: unknown) => {
            scan.record(error);
            return 'rejected';
          },
        );
        await out; // the token request is out, held at the server
        controller.abort();
        expect(await aborted).toBe('rejected');
        // At once: the token request is still held (the server records it when it answers).
        expect(servers.auth.stats.total).toBe(0);
        const after = await request({ url: `${servers.api.url}/echo/after-abort` });
        expect(after.status).toBe(200);
        // One token request: the aborted caller's, which went on and served the next call.
        expect(servers.auth.stats.total).toBe(1);
        // The aborted request never reached the API; the next one did, once.
        expect(servers.api.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
          '/echo/after-abort 200',
        ]);
        expect(scan.leaks(servers.api)).toEqual([]);
      });
    });

    it('leaves no timer or socket open once the matrix is over and its servers are closed', async () => {
      const until = Date.now() + 3_000;
      while ((handles?.open().length ?? 0) > 0 && Date.now() < until) await sleep(20);
      expect(handles).toBeDefined();
      expect(handles?.open()).toEqual([]);
    });
  });
}
