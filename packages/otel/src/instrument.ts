/**
 * `instrumentM2MAuth()`: OpenTelemetry metrics and spans for every m2m-auth provider in the
 * process, fed by the diagnostics channels core publishes on (so core needs no OpenTelemetry
 * and pays nothing while nobody subscribes). Attributes carry the scope, the cache key (a hash),
 * the token endpoint's address and error codes: never a token or a secret.
 */
import diagnostics from 'node:diagnostics_channel';
import {
  DIAGNOSTICS_CHANNELS,
  type ReplayNotice,
  type TokenRequestContext,
  type TokenServed,
} from '@m2m-auth/core';
import {
  type Attributes,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

export interface InstrumentOptions {
  /** @default the global meter provider */
  meterProvider?: MeterProvider;
  /** @default the global tracer provider */
  tracerProvider?: TracerProvider;
}

const NAME = '@m2m-auth/otel';

type Traced = TokenRequestContext & {
  result?: { obtainedAt: number; expiresAt: number };
  error?: { code?: string; status?: number };
};

/** Starts recording; the returned function stops it. */
export function instrumentM2MAuth(options: InstrumentOptions = {}): () => void {
  const meter = (options.meterProvider ?? metrics).getMeter(NAME);
  const tracer = (options.tracerProvider ?? trace).getTracer(NAME);

  const requests = meter.createCounter('m2m_auth.token.requests', {
    description: 'Token requests, by outcome (success or the error code)',
  });
  const duration = meter.createHistogram('m2m_auth.token.request.duration', {
    description: 'Time a token request took, retries included',
    unit: 's',
  });
  const hits = meter.createCounter('m2m_auth.token.cache.hits', {
    description: 'Tokens served from the cache',
  });
  const age = meter.createHistogram('m2m_auth.token.age', {
    description: 'Age of a token when it was used',
    unit: 's',
  });
  const lead = meter.createHistogram('m2m_auth.token.refresh.lead_time', {
    description: 'How long the old token still had when a refresh ahead started',
    unit: 's',
  });
  const replays = meter.createCounter('m2m_auth.http.replays', {
    description: '401s to requests we authorized: replayed with a new token, or passed on',
  });

  const spans = new WeakMap<object, { span: Span; started: number }>();
  const base = (c: TokenRequestContext): Attributes => ({
    'm2m_auth.scope': c.scope ?? '',
    'm2m_auth.refresh_ahead': c.refreshAhead,
    'server.address': new URL(c.tokenUrl).host,
  });

  const tracing = diagnostics.tracingChannel<unknown, Traced>(DIAGNOSTICS_CHANNELS.tokenRequest);
  const handlers = {
    start(context: Traced) {
      const span = tracer.startSpan('m2m-auth token request', {
        kind: SpanKind.CLIENT,
        attributes: {
          ...base(context),
          'm2m_auth.cache_key': context.key,
          'url.full': context.tokenUrl,
        },
      });
      spans.set(context, { span, started: performance.now() });
      if (context.replacingExpiresInMs !== undefined) {
        lead.record(context.replacingExpiresInMs / 1000, base(context));
      }
    },
    asyncEnd(context: Traced) {
      const open = spans.get(context);
      if (!open) return;
      spans.delete(context);
      const outcome = context.error ? (context.error.code ?? 'error') : 'success';
      const attributes = { ...base(context), 'm2m_auth.outcome': outcome };
      requests.add(1, attributes);
      duration.record((performance.now() - open.started) / 1000, attributes);
      if (context.error) {
        open.span.setAttribute('error.type', outcome);
        if (context.error.status !== undefined) {
          open.span.setAttribute('http.response.status_code', context.error.status);
        }
        // The code, not the message: messages are redacted, but codes are all a dashboard needs.
        open.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      }
      open.span.end();
    },
    end() {},
    asyncStart() {},
    error() {},
  };
  const onServed = (message: unknown) => {
    const served = message as TokenServed;
    const attributes = {
      'm2m_auth.scope': served.scope ?? '',
      'm2m_auth.refresh_ahead': served.refreshAhead,
    };
    hits.add(1, attributes);
    age.record(served.ageMs / 1000, attributes);
  };
  const onReplay = (message: unknown) => {
    const notice = message as ReplayNotice;
    replays.add(1, { 'm2m_auth.scope': notice.scope ?? '', 'm2m_auth.replayed': notice.replayed });
  };

  tracing.subscribe(handlers);
  diagnostics.subscribe(DIAGNOSTICS_CHANNELS.tokenServed, onServed);
  diagnostics.subscribe(DIAGNOSTICS_CHANNELS.replay, onReplay);
  return () => {
    tracing.unsubscribe(handlers);
    diagnostics.unsubscribe(DIAGNOSTICS_CHANNELS.tokenServed, onServed);
    diagnostics.unsubscribe(DIAGNOSTICS_CHANNELS.replay, onReplay);
  };
}
