/**
 * gRPC statuses as core reads answers, and the statuses we hand back. Core decides on HTTP
 * statuses: UNAUTHENTICATED is its 401, PERMISSION_DENIED its 403 (untouched), OK a 200;
 * anything else is an answer that settles nothing (a grpc-js retry of the call stays the
 * same logical call, with its one refresh).
 */

import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import { ConfigError } from '@m2m-auth/core';
import type { RequestPolicy } from '@m2m-auth/core/adapter';

export function httpStatusOf(code: number): number {
  if (code === Status.OK) return 200;
  if (code === Status.UNAUTHENTICATED) return 401;
  if (code === Status.PERMISSION_DENIED) return 403;
  return 500;
}

/** A header lookup over a status' trailers (`www-authenticate`, `dpop-nonce` for DPoP). */
export const trailerLookup =
  (metadata: Metadata | undefined) =>
  (name: string): string | null => {
    const value = metadata?.get(name)[0];
    return typeof value === 'string' ? value : null;
  };

/**
 * The status a call ends with when no token could be had: UNAVAILABLE, as gRPC's own
 * credential plugins answer (INTERNAL for a `ConfigError`, which no retry fixes), with
 * core's typed error as `cause`: grpc-js copies a status' own fields onto the
 * `ServiceError` it gives the caller.
 */
export function failureStatus(error: unknown): StatusObject & { cause: unknown } {
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: error instanceof ConfigError ? Status.INTERNAL : Status.UNAVAILABLE,
    details: `m2m-auth: ${message}`,
    metadata: new Metadata(),
    cause: error,
  };
}

/** A failed status with our tokens masked in its details and trailers (a server that echoes). */
export function maskedStatus<S extends StatusObject>(status: S, policy: RequestPolicy): S {
  if (status.code === Status.OK) return status;
  const details = policy.scrub({ details: status.details }).details;
  const trailers = status.metadata?.toJSON() ?? {};
  for (const [name, values] of Object.entries(trailers)) {
    const masked = values.map((value) =>
      typeof value === 'string' ? policy.scrub({ value }).value : value,
    );
    if (masked.every((value, i) => value === values[i])) continue;
    status.metadata.remove(name);
    for (const value of masked) status.metadata.add(name, value);
  }
  return details === status.details ? status : { ...status, details };
}
