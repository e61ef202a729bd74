/**
 * `describeAdapterConformance(name, makeClient)`: the behaviour every adapter must share,
 * run against the real servers of this package. Adding an adapter is one test file.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { isM2MAuthError, type TokenEvent, type TokenProviderOptions } from '@m2m-auth/core';
import { describe, expect, it } from 'vitest';
import {
  DEMO_SERVICE_ACCOUNT,
  profileProvider,
  serviceAccountOptions,
} from '../profile-provider.ts';
import type { ProfileName } from '../profiles.ts';
import { describeFaultMatrix } from './fault-matrix.ts';
import { describeLoad } from './load.ts';
import type { ConformanceBody, MakeClient, UniformClient } from './types.ts';
import { useTestServers } from './use-test-servers.ts';

const SECRET = 'demo-secret';

/** The bytes a body description stands for (FormData's boundary is random: undefined). */
function expectedBytes(body: ConformanceBody): string | undefined {
  switch (body.kind) {
    case 'json':
      return JSON.stringify(body.value);
    case 'urlencoded':
      return new URLSearchParams(body.value).toString();
    case 'stream':
      return body.chunks.join('');
    default:
      return undefined;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a client cannot do, declared so the suite checks the rest strictly. */
export interface ConformanceLimits {
  /**
   * The client turns a `FormData` body into a one-shot stream before sending (got 15), so a
   * 401 on it may come back instead of a replay, like a stream body's.
   * @default false
   */
  formDataIsOneShot?: boolean;
}

export function describeAdapterConformance(
  name: string,
  makeClient: MakeClient,
  limits: ConformanceLimits = {},
): void {
  describe(`${name} conformance`, () => {
    const servers = useTestServers();

    async function client(
      profile: ProfileName = 'generic',
      options: Partial<TokenProviderOptions> = {},
    ): Promise<UniformClient> {
      const provider = profileProvider(servers.auth, profile, options);

      return makeClient({ provider, origins: [servers.api.url], servers });
    }

    it.each([
      'cognito',
      'tenant',
      'generic',
      'strict-rfc',
      'entra',
      'auth0',
      'okta',
      'keycloak',
      'salesforce',
      'google-sa',
    ] as const)('calls the API with a %s-profile token', async (profile) => {
      const google = profile === 'google-sa';
      const options = google ? serviceAccountOptions(servers.serviceAccountKey.privateJwk) : {};
      const request = await client(profile, options);
      const first = await request({ url: `${servers.api.url}/echo/${profile}` });
      const second = await request({ url: `${servers.api.url}/echo/${profile}` });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(JSON.parse(first.body)).toMatchObject({
        sub: google ? DEMO_SERVICE_ACCOUNT : 'demo-client',
        path: `/echo/${profile}`,
      });
      expect(servers.auth.stats.issued).toBe(1);
    });

    it('makes one token request for 200 concurrent requests on a cold client', async () => {
      const request = await client();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => request({ url: `${servers.api.url}/echo/${i}` })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(servers.auth.stats.total).toBe(1);
      expect(servers.api.counters.unauthorized).toBe(0);
    });

    it('after revoke-all, 100 concurrent requests make one token request and all succeed', async () => {
      const request = await client();
      expect((await request({ url: `${servers.api.url}/echo/warm` })).status).toBe(200);
      servers.auth.control.revokeAll();
      servers.auth.stats.reset();
      servers.api.reset();
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => request({ url: `${servers.api.url}/echo/r${i}` })),
      );
      expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
      expect(servers.auth.stats.total).toBe(1);
      expect(Math.max(...Object.values(servers.api.counters.byPath))).toBeLessThanOrEqual(2);
    });

    it('tries a route that always answers 401 exactly twice, and returns the 401', async () => {
      const request = await client();
      const res = await request({ url: `${servers.api.url}/always-401` });
      expect(res.status).toBe(401);
      expect(servers.api.counters.byPath['/always-401']).toBe(2);
      expect(servers.auth.stats.total).toBe(2);
    });

    it('an API that refuses every token costs a few token requests, not one per call, each window reported once', async () => {
      const events: TokenEvent[] = [];
      const request = await client('generic', { onEvent: (event) => events.push(event) });
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) {
        statuses.push((await request({ url: `${servers.api.url}/always-401` })).status);
      }
      expect(statuses).toEqual(Array(200).fill(401));
      // The first token and the first call's refresh; then the 401s go back as they are
      // while the window lasts (1 s, doubling: one more refresh per window that runs out).
      const total = servers.auth.stats.total;
      expect(total).toBeGreaterThanOrEqual(2);
      expect(total).toBeLessThanOrEqual(4);
      // Each refresh was replayed once; every other call reached the API once.
      expect(servers.api.counters.byPath['/always-401']).toBe(200 + (total - 1));
      expect(events.filter((e) => e.type === 'token_refused')).toHaveLength(total - 1);
    });

    it('passes a 403 through without refreshing or retrying', async () => {
      const request = await client();
      const res = await request({ url: `${servers.api.url}/forbidden` });
      expect(res.status).toBe(403);
      expect(servers.api.counters.byPath['/forbidden']).toBe(1);
      expect(servers.auth.stats.total).toBe(1);
    });

    it("binds tokens with DPoP: a proof per request, both servers' nonces answered, a revoked token replaced once", async () => {
      const request = await client('dpop');
      const post = (path: string) =>
        request({
          method: 'POST',
          url: `${servers.api.url}${path}`,
          body: { kind: 'json', value: { n: 1 } },
        });
      expect((await post('/echo/first?page=2')).status).toBe(200);
      // Token endpoint: 400 use_dpop_nonce, then the proof with its nonce. API: the same dance.
      expect(servers.auth.stats.requests.map((r) => r.status)).toEqual([400, 200]);
      expect(servers.api.requests.map((r) => r.dpop?.outcome)).toEqual([
        'use_dpop_nonce',
        'accepted',
      ]);
      expect(servers.api.requests[1]?.dpop?.claims).toMatchObject({
        htm: 'POST',
        htu: `${servers.api.url}/echo/first`,
      });
      expect(servers.api.requests[1]?.authorization).toMatch(/^DPoP /);

      servers.api.reset();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`/echo/${i}`)));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      const jtis = servers.api.requests.map((r) => r.dpop?.claims?.['jti']);
      expect(new Set(jtis).size).toBe(20); // a fresh proof for every request, nonce remembered

      servers.auth.control.revokeAll();
      servers.api.reset();
      servers.auth.stats.reset();
      expect((await post('/echo/after-revoke')).status).toBe(200);
      expect(servers.api.requests.map((r) => r.status)).toEqual([401, 200]);
      expect(servers.auth.stats.total).toBe(1);
    });

    it('sees no 401 while a short-lived token expires under steady traffic', async () => {
      servers.auth.control.setLifetime(2);
      const request = await client();
      const until = Date.now() + 3_500;
      const statuses: number[] = [];
      while (Date.now() < until) {
        statuses.push((await request({ url: `${servers.api.url}/echo/steady` })).status);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(statuses.length).toBeGreaterThan(10);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(servers.api.requests.filter((r) => r.status === 401)).toEqual([]);
      expect(servers.auth.stats.issued).toBeGreaterThanOrEqual(2);
    });

    it('refuses a plain-http: origin off loopback when it is created, before any token', async () => {
      const provider = profileProvider(servers.auth, 'generic');
      for (const origin of ['http://api.example.com', 'http://10.0.0.7:8080']) {
        const refused = await Promise.resolve()
          .then(() => makeClient({ provider, origins: [origin], servers }))
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(isM2MAuthError(refused) && refused.code).toBe('M2M_CONFIG');
      }
      expect(servers.auth.stats.total).toBe(0);
    });

    it('never sends the token to an origin outside origins, nor across a redirect', async () => {
      const request = await client();
      await request({ url: `${servers.other.url}/direct` });
      const target = encodeURIComponent(`${servers.other.url}/after-redirect`);
      const redirected = await request({ url: `${servers.api.url}/redirect?to=${target}` });
      expect(redirected.status).toBe(200);
      expect(servers.other.received.map((r) => r.path)).toEqual(['/direct', '/after-redirect']);
      expect(servers.other.received.map((r) => r.authorization)).toEqual([undefined, undefined]);
      expect(servers.api.counters.byPath['/redirect']).toBe(1);
      expect(servers.api.requests[0]?.authorization).toMatch(/^Bearer /);
    });

    const bodies: Array<[string, ConformanceBody]> = [
      [
        'a JSON body',
        { kind: 'json', value: { order: 42, items: ['a', 'b'], note: 'ü'.repeat(100) } },
      ],
      [
        'a URLSearchParams body',
        { kind: 'urlencoded', value: { a: '1', b: 'two words', c: 'ü&=' } },
      ],
      ['a FormData body', { kind: 'formdata', value: { field: 'value', other: 'x'.repeat(1000) } }],
      [
        'a stream body',
        { kind: 'stream', chunks: ['first chunk;', 'second chunk;', 'x'.repeat(5000)] },
      ],
    ];

    it.each(bodies)(
      'replays %s whole after a 401 (a stream may return the 401): never a truncated body',
      async (_label, body) => {
        const request = await client();
        expect((await request({ url: `${servers.api.url}/echo/warm` })).status).toBe(200);
        servers.auth.control.revokeAll();
        servers.api.reset();
        const res = await request({ method: 'POST', url: `${servers.api.url}/echo/body`, body });
        // A body the client holds whole must be replayed; a one-shot stream may return the 401.
        const oneShot =
          body.kind === 'stream' || (body.kind === 'formdata' && limits.formDataIsOneShot);
        expect(oneShot ? [200, 401] : [200]).toContain(res.status);
        const attempts = servers.api.requests.filter((r) => r.path === '/echo/body');
        expect(attempts.length).toBe(res.status === 200 ? 2 : 1);
        const expected = expectedBytes(body);
        const lengths = new Set(attempts.map((a) => a.bodyLength));
        expect(lengths.size).toBe(1);
        if (expected !== undefined) expect([...lengths]).toEqual([Buffer.byteLength(expected)]);
        if (res.status === 200 && expected !== undefined) {
          expect(JSON.parse(res.body)).toMatchObject({ bodySha256: sha256(expected) });
        }
      },
    );

    it('survives token-endpoint faults: 503 twice, then 429 with Retry-After', async () => {
      servers.auth.control.inject({ type: 'status', status: 503 }, 2);
      const first = await client('generic', { retry: { maxAttempts: 3, baseDelayMs: 1 } });
      expect((await first({ url: `${servers.api.url}/echo/faults` })).status).toBe(200);
      servers.auth.control.inject({ type: 'rate-limit', retryAfterSeconds: 1 });
      const second = await client('generic', { scope: 'other' });
      expect((await second({ url: `${servers.api.url}/echo/faults` })).status).toBe(200);
      expect(servers.auth.stats.requests.map((r) => r.status)).toEqual([503, 503, 200, 429, 200]);
    });

    it('surfaces wrong credentials and malformed token responses as typed errors without the secret', async () => {
      const wrong = await client('generic', { clientSecret: 'wrong-secret-value' });
      const refused = await wrong({ url: `${servers.api.url}/echo/x` }).catch((e: unknown) => e);
      expect(isM2MAuthError(refused)).toBe(true);
      expect(refused).toMatchObject({
        code: 'M2M_OAUTH_ERROR',
        error: 'invalid_client',
        status: 401,
      });
      expect(inspect(refused, { depth: 5 })).not.toContain('wrong-secret-value');

      servers.auth.control.inject({ type: 'html' });
      const html = await client('generic', { retry: { maxAttempts: 1 } });
      const malformed = await html({ url: `${servers.api.url}/echo/x` }).catch((e: unknown) => e);
      expect(malformed).toMatchObject({ code: 'M2M_INVALID_RESPONSE' });
      expect(inspect(malformed, { depth: 5 })).not.toContain(SECRET);
      expect(servers.api.counters.total).toBe(0);
    });
  });
  describeFaultMatrix(name, makeClient);
  describeLoad(name, makeClient);
}
