/**
 * Where every event goes: the diagnostics channel, `onEvent`, and the logger at the event's
 * level. A throwing listener or logger never breaks the request that reported the event.
 */
import { publishEvent } from './diagnostics.ts';
import type { EventSink, Logger, TokenEvent, TokenEventType } from './events.ts';

const LEVEL: Record<TokenEventType, keyof Logger> = {
  token_fetched: 'debug',
  token_invalidated: 'info',
  token_refused: 'warn',
  client_auth_fallback: 'info',
  clock_skew: 'warn',
  secret_reread: 'info',
  token_request_retried: 'warn',
  refresh_failed: 'warn',
  token_request_failed: 'error',
};

/** Any event with a `type`; one carrying our typed `error` logs it through `toJSON()`. */
interface NamedEvent {
  type: string;
}

/**
 * The sink for events of any kind, given the level of each type: generic so that a package
 * with events of its own (the Redis store's) can share it instead of keeping a copy.
 */
export function eventSink<E extends NamedEvent>(
  levels: Record<E['type'], keyof Logger>,
  onEvent: ((event: E) => void) | undefined,
  logger: Logger | undefined,
  publish?: (event: E) => void,
): (event: E) => void {
  return (event) => {
    publish?.(event);
    try {
      onEvent?.(event);
    } catch {
      // A listener's bug must not fail the request that reported it.
    }
    try {
      const level = levels[event.type as E['type']];
      const { type, ...details } = event;
      const cause = (event as { error?: { toJSON(): unknown } }).error;
      const error = cause ? { error: cause.toJSON() } : {};
      logger?.[level]?.(`m2m-auth: ${type}`, { ...details, ...error });
    } catch {
      // Same for a logger that throws.
    }
  };
}

/** The provider's sink: token events also go to the `m2m-auth:event` channel. */
export function createEventSink(onEvent?: (event: TokenEvent) => void, logger?: Logger): EventSink {
  return eventSink(LEVEL, onEvent, logger, publishEvent);
}
