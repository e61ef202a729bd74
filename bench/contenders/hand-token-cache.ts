/**
 * The token cache a user writes beside a library that only fetches tokens (axios-auth-refresh,
 * got's and ky's hook recipes, openid-client): keep the token until `expires_in` runs out,
 * share one in-flight token request, and fetch a new token when a 401 says so. This is the
 * careful version (many hand caches do not share the in-flight request, and then a cold
 * burst of N calls makes N token requests); it still has no refresh-ahead, measures the
 * lifetime from the answer rather than the request, and cannot tell whether the token a 401
 * refused is still the cached one, so every 401 that arrives after a refresh makes another.
 */
export interface FetchedToken {
  accessToken: string;
  /** Seconds, as the token endpoint said. */
  expiresIn: number;
}

export interface HandTokenCache {
  /** The cached token, or a new one when none is cached or it has expired. */
  get(): Promise<string>;
  /** A new token now (after a 401), sharing a request already in flight. */
  refresh(): Promise<string>;
}

export function handTokenCache(fetchToken: () => Promise<FetchedToken>): HandTokenCache {
  let cached: { value: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  const refresh = () => {
    inFlight ??= fetchToken()
      .then(({ accessToken, expiresIn }) => {
        cached = { value: accessToken, expiresAt: Date.now() + expiresIn * 1000 };
        return accessToken;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  return {
    get: async () => (cached && Date.now() < cached.expiresAt ? cached.value : refresh()),
    refresh,
  };
}

/** The hand-written `Authorization: Basic` value (RFC 6749 §2.3.1: form-encode id and secret). */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}
