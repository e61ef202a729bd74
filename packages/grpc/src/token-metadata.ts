/**
 * What a metadata generator hands grpc-js: our headers for the attempt as `Metadata`, or,
 * when no token could be had, an error whose numeric `code` grpc-js ends the call with.
 */

import { Metadata } from '@grpc/grpc-js';
import { type Exchange, type MaybePromise, whenReady } from '@m2m-auth/core/adapter';
import { metadataTarget } from './metadata-target.ts';
import { failureStatus } from './status.ts';

/** Our headers for an attempt as grpc-js `Metadata`. */
export type MetadataFor = (exchange: Exchange | undefined) => Metadata;

/**
 * A `MetadataFor` that keeps the last Bearer header's metadata, one per authorizer (so two
 * providers in turn do not undo each other's, and a provider's token goes with it): building
 * it checks the whole token against the legal-value pattern, and a clone copies the values
 * as they are. Each attempt gets its own clone: grpc-js 1.14 merges into what a generator
 * hands it on one path (single-subchannel-channel.ts, for ORCA load-report streams).
 */
export function tokenMetadata(): MetadataFor {
  let last: { header: string; metadata: Metadata } | undefined;
  return (exchange) => {
    const headers = exchange?.headers();
    // A DPoP proof is new for each attempt: only a Bearer header's metadata is kept.
    const bearer = headers?.dpop === undefined ? headers?.authorization : undefined;
    if (bearer !== undefined && last?.header === bearer) return last.metadata.clone();
    const metadata = new Metadata();
    exchange?.apply(metadataTarget(metadata));
    if (bearer === undefined) return metadata;
    last = { header: bearer, metadata };
    return metadata.clone();
  };
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
 * Answers a metadata generator's `callback` with the attempt's begun exchange (as
 * `metadataFor` makes it metadata): at once with a cached token, else when core has it;
 * `outcome` (if given) records what came.
 */
export function answerGenerator(
  begun: MaybePromise<Exchange | undefined>,
  metadataFor: MetadataFor,
  callback: (error: Error | null, metadata?: Metadata) => void,
  outcome: AttemptOutcome = {},
): void {
  const ready = (exchange: Exchange | undefined) => {
    outcome.exchange = exchange;
    outcome.failure = undefined;
    callback(null, metadataFor(exchange));
  };
  whenReady(begun, ready, (error) => {
    outcome.failure = error;
    callback(generatorError(error));
  });
}
