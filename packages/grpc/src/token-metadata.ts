/**
 * What a metadata generator hands grpc-js: our headers for the attempt as `Metadata`, or,
 * when no token could be had, an error whose numeric `code` grpc-js ends the call with.
 */

import { Metadata } from '@grpc/grpc-js';
import { type Exchange, type MaybePromise, whenReady } from '@m2m-auth/core/adapter';
import { metadataTarget } from './metadata-target.ts';
import { failureStatus } from './status.ts';

// The last Bearer token's metadata, for the next attempts with the same header: building it
// checks the whole token against the legal-value pattern, and a clone copies the values as
// they are. Each attempt gets its own clone: grpc-js 1.14 merges into what a generator hands
// it on one path (single-subchannel-channel.ts, for ORCA load-report streams).
let lastBearer: { header: string; metadata: Metadata } | undefined;

function tokenMetadata(exchange: Exchange | undefined): Metadata {
  const headers = exchange?.headers();
  // A DPoP proof is new for each attempt: only a Bearer header's metadata is kept.
  const bearer = headers?.dpop === undefined ? headers?.authorization : undefined;
  if (bearer !== undefined && lastBearer?.header === bearer) return lastBearer.metadata.clone();
  const metadata = new Metadata();
  exchange?.apply(metadataTarget(metadata));
  if (bearer === undefined) return metadata;
  lastBearer = { header: bearer, metadata };
  return metadata.clone();
}

function generatorError(error: unknown): Error & { code: number } {
  const { code, details } = failureStatus(error);
  return Object.assign(new Error(details), { code });
}

/** What one attempt remembers of its generator's outcome (grpcAuth reads it at the status). */
export interface AttemptOutcome {
  exchange?: Exchange | undefined;
  failure?: unknown;
}

/**
 * Answers a metadata generator's `callback` with the attempt's begun exchange: at once with a
 * cached token, else when core has it; `outcome` (if given) records what came.
 */
export function answerGenerator(
  begun: MaybePromise<Exchange | undefined>,
  callback: (error: Error | null, metadata?: Metadata) => void,
  outcome: AttemptOutcome = {},
): void {
  const ready = (exchange: Exchange | undefined) => {
    outcome.exchange = exchange;
    outcome.failure = undefined;
    callback(null, tokenMetadata(exchange));
  };
  whenReady(begun, ready, (error) => {
    outcome.failure = error;
    callback(generatorError(error));
  });
}
