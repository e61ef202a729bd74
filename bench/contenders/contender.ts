/**
 * What every benchmarked library looks like to the harness (bench/run.ts): one authenticated
 * GET, driven the way that library's own documentation shows. A contender resolves with the
 * HTTP status its caller finally sees (after any refresh-and-retry it does by itself) and
 * rejects only when the caller would get no response at all (a token error, a network error).
 */
export type ClientKind = 'fetch' | 'axios' | 'got' | 'ky' | 'undici';

export interface ContenderOptions {
  /** The token endpoint (test-utils `strict-rfc` profile: Basic or body, never both). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Origin of the protected API, e.g. `http://127.0.0.1:40123`. */
  apiOrigin: string;
  /** Set in the fleet benchmark for contenders that can share tokens through Redis. */
  redisUrl?: string;
}

export interface Contender {
  /** GET `apiOrigin + path`, body read to the end; resolves with the final HTTP status. */
  get(path: string): Promise<number>;
  /** Releases sockets, timers and Redis connections. */
  close(): Promise<void>;
}

export interface ContenderSpec {
  /** Stable id, used on command lines (bench/overhead-child.ts, bench/fleet-worker.ts). */
  id: string;
  /** The table row: package and wiring, e.g. "`@badgateway/oauth2-client` `OAuth2Fetch`". */
  label: string;
  /** The bare client it is compared with in the overhead benchmark. */
  client: ClientKind;
  /** Where the wiring comes from: the documentation section it follows. */
  source: string;
  /** True when it shares tokens across processes given `redisUrl`. */
  sharedStore?: boolean;
  create(options: ContenderOptions): Contender | Promise<Contender>;
}

/** Resolves an HTTP error thrown by a client into its status; rethrows anything else. */
export function statusOf(error: unknown): number {
  const response = (error as { response?: { status?: number; statusCode?: number } })?.response;
  const status = response?.status ?? response?.statusCode;
  if (typeof status === 'number') return status;
  throw error;
}

/** A fetch `Response`'s status, after reading its body to the end (as a caller would). */
export async function readStatus(response: Response): Promise<number> {
  await response.arrayBuffer();
  return response.status;
}
