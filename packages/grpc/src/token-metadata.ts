/**
 * What a metadata generator hands grpc-js: our headers for the attempt as `Metadata`, or,
 * when no token could be had, an error whose numeric `code` grpc-js ends the call with.
 */

import { Metadata } from '@grpc/grpc-js';
import type { Exchange } from '@m2m-auth/core/adapter';
import { metadataTarget } from './metadata-target.ts';
import { failureStatus } from './status.ts';

export function tokenMetadata(exchange: Exchange | undefined): Metadata {
  const metadata = new Metadata();
  exchange?.apply(metadataTarget(metadata));
  return metadata;
}

export function generatorError(error: unknown): Error & { code: number } {
  const { code, details } = failureStatus(error);
  return Object.assign(new Error(details), { code });
}
