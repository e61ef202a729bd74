/** grpc-js `Metadata` as core's `HeaderTarget`: one value per name, set, never added. */

import type { Metadata } from '@grpc/grpc-js';
import type { HeaderTarget } from '@m2m-auth/core/adapter';

export function metadataTarget(metadata: Metadata): HeaderTarget {
  return {
    get: (name) => metadata.get(name)[0],
    // set, not add: grpc-js ends a call with two `authorization` values as INTERNAL.
    set: (name, value) => metadata.set(name, value),
    delete: (name) => metadata.remove(name),
  };
}
