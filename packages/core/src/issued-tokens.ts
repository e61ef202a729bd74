/**
 * The tokens we put on requests lately. Retry layers clone configs and Requests, so a header
 * we set turns up on objects we never saw: a value found here (or its masked form, left by
 * an error we scrubbed) is ours to renew, never the caller's own and never re-sent stale.
 * The client's errors are searched for the same tokens.
 */
import { REDACTED } from './token-scrubber.ts';

/**
 * As many as the provider keeps scoped providers (1 000) and then some, so a live token is
 * never forgotten while its scope is in use; least recently handed out goes first (a `Set`
 * keeps insertion order, and a token handed out again is moved to the end).
 */
const MAX_ISSUED = 1024;
const SCHEMES = ['Bearer ', 'DPoP '] as const;
const MASKED = new Set(SCHEMES.map((scheme) => `${scheme}${REDACTED}`));

export interface IssuedTokens {
  remember(accessToken: string): void;
  /** Whether an `Authorization` value is one we set: a token issued lately, or masked. */
  isOurs(authorization: string): boolean;
  /** The tokens to mask in an error. */
  list(): readonly string[];
}

export function issuedTokens(): IssuedTokens {
  const issued = new Set<string>();
  return {
    remember(accessToken) {
      issued.delete(accessToken);
      issued.add(accessToken);
      if (issued.size > MAX_ISSUED) issued.delete(issued.values().next().value as string);
    },
    isOurs(authorization) {
      if (MASKED.has(authorization)) return true;
      const scheme = SCHEMES.find((s) => authorization.startsWith(s));
      return scheme !== undefined && issued.has(authorization.slice(scheme.length));
    },
    list: () => [...issued],
  };
}
