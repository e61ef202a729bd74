/**
 * Scrubs secrets from text before it becomes part of an error, event or log line. It knows
 * the client secret in every form we send it (raw, form-encoded, inside both Basic header
 * values) and the most recent access tokens this provider received: a hostile or careless
 * token endpoint may echo any of them in an `error_description`.
 */
const MASK = '[REDACTED]';
const MAX_TOKENS = 64;
const MAX_SENT = 16;
const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  /** Adds a value that must never appear in output (an access token, say). */
  add(secret: string): void;
  /**
   * Adds a short-lived credential we just sent (a client assertion, a DPoP proof): a server
   * may echo it in an error. Kept apart from tokens, so these never push tokens out.
   */
  addSent(credential: string): void;
  /** Adds secrets kept for the provider's whole life (each client secret ever read). */
  addSecrets(secrets: readonly string[]): void;
  redact(text: string): string;
  /** A copy of an unknown thrown value that is safe to keep as `cause`. */
  redactError(error: unknown): Error;
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const fixed = new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH));
  const tokens = new Set<string>();
  const sent = new Set<string>();

  // Matched case-insensitively: a server may echo `%c3%a9` for our `%C3%A9` (or upper-case a
  // token); masking a little more than needed costs nothing.
  const patterns = new Map<string, RegExp>();
  const patternFor = (secret: string) => {
    let pattern = patterns.get(secret);
    // Stryker disable next-line ConditionalExpression: a cache; a pattern made anew masks the same
    if (!pattern) {
      pattern = new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
      // Stryker disable next-line CallExpression: a cache; not keeping a pattern masks the same
      patterns.set(secret, pattern);
      // Stryker disable next-line all: the cache's bound, which no output shows
      if (patterns.size > 4 * MAX_TOKENS) patterns.delete(patterns.keys().next().value as string);
    }
    return pattern;
  };
  function redact(text: string): string {
    let out = text;
    let lower = out.toLowerCase();
    for (const secret of [...fixed, ...tokens, ...sent]) {
      // Stryker disable next-line ConditionalExpression: a shortcut; nothing to mask, same text
      if (!lower.includes(secret.toLowerCase())) continue;
      out = out.replace(patternFor(secret), MASK);
      lower = out.toLowerCase();
    }
    return out;
  }

  function redactError(error: unknown, depth = 0): Error {
    if (!(error instanceof Error)) return new Error(redact(String(error)));
    const copy = new Error(redact(error.message));
    copy.name = error.name;
    copy.stack = redact(error.stack ?? '');
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code });
    if (error.cause !== undefined && depth < 3) copy.cause = redactError(error.cause, depth + 1);
    return copy;
  }

  return {
    add(secret) {
      if (secret.length < MIN_SECRET_LENGTH) return;
      tokens.add(secret);
      if (tokens.size > MAX_TOKENS) tokens.delete(tokens.values().next().value as string);
    },
    addSent(credential) {
      sent.add(credential);
      if (sent.size > MAX_SENT) sent.delete(sent.values().next().value as string);
    },
    addSecrets(secrets) {
      for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH) fixed.add(secret);
    },
    redact,
    redactError: (error) => redactError(error),
  };
}
