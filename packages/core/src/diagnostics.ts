/**
 * Node's `diagnostics_channel` publishing, for APM agents and `@m2m-auth/otel`. Core stays
 * runtime-neutral: the module is looked up once through `process.getBuiltinModule` (Node 22.3+,
 * Bun, Deno), guarded, and where it is missing (browsers, workerd without nodejs_compat)
 * every publish is a no-op. Publishing costs one `hasSubscribers` check when nobody listens.
 *
 * Channels (names are public API):
 * - `m2m-auth:event`: every `TokenEvent`, as `onEvent` sees it.
 * - `m2m-auth:token-served`: a cached token handed out: `{ key, scope, ageMs, expiresInMs, refreshAhead }`.
 * - `m2m-auth:replay`: a 401 to a request we authorized, and what we did: `{ scope, replayed }`.
 * - tracing channel `m2m-auth:token-request` (`tracing:m2m-auth:token-request:start` ...):
 *   one token request flight; context `{ key, scope, tokenUrl, refreshAhead, replacingExpiresInMs? }`, then `result`
 *   (`{ obtainedAt, expiresAt }`) or `error` (our typed, redacted error).
 * No message ever holds a token or a secret.
 */
import type { TokenEvent } from './events.ts';

interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}
interface TracingChannel {
  readonly hasSubscribers: boolean;
  tracePromise<T>(fn: () => Promise<T>, context: object): Promise<T>;
}
interface DiagnosticsChannelModule {
  channel(name: string): Channel;
  tracingChannel(name: string): TracingChannel;
}

export interface TokenServed {
  key: string;
  scope: string | undefined;
  /** Since the token request that produced it started. */
  ageMs: number;
  expiresInMs: number;
  /** Served while one background refresh runs. */
  refreshAhead: boolean;
}

export interface ReplayNotice {
  scope: string | undefined;
  /** False when no new token could be had (the 401 goes to the caller). */
  replayed: boolean;
}

export interface TokenRequestContext {
  key: string;
  scope: string | undefined;
  /** The token endpoint, or the issuer when it is still to be discovered. */
  tokenUrl: string;
  refreshAhead: boolean;
  /** For a refresh ahead: how long the token it replaces still had, in ms (the lead time). */
  replacingExpiresInMs?: number;
}

function load(): DiagnosticsChannelModule | undefined {
  try {
    const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
    const module = host.process?.getBuiltinModule?.('node:diagnostics_channel');
    return module as DiagnosticsChannelModule | undefined;
  } catch {
    return undefined;
  }
}

/** The channel names, for subscribers (`tokenRequest` is a tracing channel's prefix). */
export const DIAGNOSTICS_CHANNELS = {
  event: 'm2m-auth:event',
  tokenServed: 'm2m-auth:token-served',
  replay: 'm2m-auth:replay',
  tokenRequest: 'm2m-auth:token-request',
} as const;

const noChannel: Channel = { hasSubscribers: false, publish() {} };
const dc = load();
const events = dc?.channel(DIAGNOSTICS_CHANNELS.event) ?? noChannel;
const served = dc?.channel(DIAGNOSTICS_CHANNELS.tokenServed) ?? noChannel;
const replays = dc?.channel(DIAGNOSTICS_CHANNELS.replay) ?? noChannel;
const requests = dc?.tracingChannel(DIAGNOSTICS_CHANNELS.tokenRequest);

export function publishEvent(event: TokenEvent): void {
  if (events.hasSubscribers) events.publish(event);
}

/** Called on the hot path: arguments, not a closure, so nothing is allocated unheard. */
export function publishServed(
  key: string,
  scope: string | undefined,
  entry: { obtainedAt: number; token: { expiresAt: number } },
  now: number,
  refreshAhead: boolean,
): void {
  if (!served.hasSubscribers) return;
  const message: TokenServed = {
    key,
    scope,
    ageMs: now - entry.obtainedAt,
    expiresInMs: entry.token.expiresAt - now,
    refreshAhead,
  };
  served.publish(message);
}

export function publishReplay(notice: ReplayNotice): void {
  if (replays.hasSubscribers) replays.publish(notice);
}

/**
 * Traces one token request. The traced result is a summary, not the stored entry: a tracing
 * subscriber sees `context.result`, and that must never hold the token.
 */
export async function traceTokenRequest<
  T extends { obtainedAt: number; token: { expiresAt: number } },
>(context: TokenRequestContext, run: () => Promise<T>): Promise<T> {
  if (!requests?.hasSubscribers) return run();
  let entry: T | undefined;
  await requests.tracePromise(async () => {
    entry = await run();
    return { obtainedAt: entry.obtainedAt, expiresAt: entry.token.expiresAt };
  }, context);
  return entry as T;
}
