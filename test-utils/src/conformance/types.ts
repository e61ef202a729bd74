/** The uniform request function every adapter hands the conformance suite. */
import type { TokenProvider } from '@m2m-auth/core';
import type { AuthServer } from '../auth-server.ts';
import type { ClientKeys } from '../client-keys.ts';
import type { OtherOrigin } from '../other-origin.ts';
import type { ResourceServer } from '../resource-server.ts';

export interface ConformanceServers {
  auth: AuthServer;
  api: ResourceServer;
  other: OtherOrigin;
  /** The key of `DEMO_SERVICE_ACCOUNT`, registered on `auth` (the `google-sa` profile). */
  serviceAccountKey: ClientKeys;
}

/** A request body, described so each adapter can build its client's native form of it. */
export type ConformanceBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'urlencoded'; value: Record<string, string> }
  | { kind: 'formdata'; value: Record<string, string> }
  /** A one-shot stream (a `ReadableStream` or a Node `Readable`) yielding these chunks. */
  | { kind: 'stream'; chunks: string[] };

export interface UniformRequest {
  /** @default 'GET' */
  method?: string;
  /** Absolute URL. */
  url: string;
  headers?: Record<string, string>;
  body?: ConformanceBody;
  /** The caller's own signal, passed to the client as it takes one natively. */
  signal?: AbortSignal;
}

export interface UniformResponse {
  status: number;
  body: string;
}

/**
 * Sends one request through the adapter under test. It resolves for every HTTP status
 * (turn the client's HTTP errors into responses) and rejects only for errors that are not
 * HTTP answers, such as the core's token errors, which it must pass through unchanged.
 */
export type UniformClient = (request: UniformRequest) => Promise<UniformResponse>;

export interface ClientSetup {
  provider: TokenProvider;
  /** The origins that may receive the token: the API's. */
  origins: string[];
  servers: ConformanceServers;
}

export type MakeClient = (setup: ClientSetup) => UniformClient | Promise<UniformClient>;
