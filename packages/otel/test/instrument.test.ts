import { createTokenProvider } from '@m2m-auth/core';
import { createRequestPolicy } from '@m2m-auth/core/adapter';
import { asLogged, startAuthServer } from '@m2m-auth/test-utils';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { instrumentM2MAuth } from '../src/index.ts';

class TestReader extends MetricReader {
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

describe('instrumentM2MAuth', () => {
  let auth: Awaited<ReturnType<typeof startAuthServer>>;
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterAll(() => auth.close());

  it('records token requests by outcome, cache hits, token age, refresh lead time, replays and spans', async () => {
    const reader = new TestReader();
    const spans = new InMemorySpanExporter();
    const stop = instrumentM2MAuth({
      meterProvider: new MeterProvider({ readers: [reader] }),
      tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    });
    auth.control.setLifetime(4, 'generic');
    let refreshed: () => void = () => undefined;
    const refreshedAhead = new Promise<void>((resolve) => {
      refreshed = resolve;
    });
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      scope: 'reports',
      refreshAheadRatio: 0.5, // a 4 s token (1 s skew): refresh ahead from 1.5 s on
      refreshJitterRatio: 0,
      onEvent: (event) => {
        if (event.type === 'token_fetched' && event.refreshedAhead) refreshed();
      },
    });
    // The clock moves only when the test moves it: the lead time is exactly what is left.
    vi.useFakeTimers({ toFake: ['Date'] });
    let first: Awaited<ReturnType<typeof tokens.getToken>>;
    try {
      first = await tokens.getToken();
      await tokens.getToken();
      vi.setSystemTime(Date.now() + 1700);
      await tokens.getToken(); // served while one refresh ahead runs
      await refreshedAhead;
    } finally {
      vi.useRealTimers();
    }
    // The replay on a provider of its own, whose token is not due for a refresh.
    const other = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      scope: 'billing',
    });
    const policy = createRequestPolicy(other, { origins: ['https://api.vendor.example'] });
    const exchange = await policy.begin({ url: 'https://api.vendor.example/x' });
    expect(await exchange?.answer(401, () => null)).toBe(true);
    const wrong = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'not-the-secret',
    });
    await expect(wrong.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    stop();
    auth.control.resetLifetimes();

    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const points = (name: string) =>
      (all.find((m) => m.descriptor.name === name)?.dataPoints ?? []) as DataPoint<unknown>[];
    const sum = (name: string, attributes: object) =>
      points(name)
        .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
        .reduce((total, p) => total + (p.value as number), 0);

    // first fetch, refresh ahead, the other's first and its replay's fetch: 4 successes; the
    // wrong secret: 1 OAuth error.
    expect(sum('m2m_auth.token.requests', { 'm2m_auth.outcome': 'success' })).toBe(4);
    expect(sum('m2m_auth.token.requests', { 'm2m_auth.outcome': 'M2M_OAUTH_ERROR' })).toBe(1);
    expect(sum('m2m_auth.token.requests', { 'm2m_auth.refresh_ahead': true })).toBe(1);
    expect(sum('m2m_auth.token.cache.hits', { 'm2m_auth.refresh_ahead': true })).toBe(1);
    expect(sum('m2m_auth.token.cache.hits', {})).toBe(2); // the 2nd and 3rd getToken()
    expect(sum('m2m_auth.http.replays', { 'm2m_auth.replayed': true })).toBe(1);
    const lead = points('m2m_auth.token.refresh.lead_time')[0]?.value as {
      count: number;
      sum: number;
    };
    expect(lead.count).toBe(1);
    expect(lead.sum).toBeCloseTo(2.3, 3); // of the 4 s token, 1.7 s after it was fetched
    const ages = points('m2m_auth.token.age').map((p) => (p.value as { count: number }).count);
    expect(ages.reduce((a, b) => a + b, 0)).toBe(2); // one point per attribute set

    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(Array(5).fill('m2m-auth token request'));
    const failed = finished.find((s) => s.status.code === 2);
    expect(failed?.attributes).toMatchObject({
      'error.type': 'M2M_OAUTH_ERROR',
      'http.response.status_code': 401,
    });
    expect(finished[0]?.attributes).toMatchObject({
      'm2m_auth.scope': 'reports',
      'server.address': new URL(auth.url).host,
    });

    const recorded = asLogged([all.map((m) => m.dataPoints), finished.map((s) => s.attributes)]);
    expect(recorded).not.toContain(first.accessToken);
    expect(recorded).not.toContain('demo-secret');
    expect(recorded).not.toContain('not-the-secret');
  });

  it('records nothing once stopped', async () => {
    const reader = new TestReader();
    const stop = instrumentM2MAuth({ meterProvider: new MeterProvider({ readers: [reader] }) });
    stop();
    await createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    }).getToken();
    const { resourceMetrics } = await reader.collect();
    const metricsSeen = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    expect(metricsSeen.every((m) => m.dataPoints.length === 0)).toBe(true);
  });
});
