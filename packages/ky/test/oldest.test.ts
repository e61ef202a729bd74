/**
 * The oldest ky our peer range allows (^1.0.0, installed as `ky-oldest`): the whole
 * conformance suite and the composition matrix, as for ky 2.
 */
import { describeAdapterConformance, describeComposition } from '@m2m-auth/test-utils/conformance';
import ky from 'ky-oldest';
import { kyUniformClient } from './uniform-client.ts';

describeAdapterConformance('kyAuth (ky 1.0.0)', ({ provider, origins }) =>
  kyUniformClient(ky as never, provider, origins),
);

describeComposition('kyAuth (ky 1.0.0)', [
  {
    // ky 1.0.0 hands each hook a new options object, so kyAuth cannot tell its retries apart
    // from new calls: each gets a refresh of its own (ky 1.14 and 2 are linked).
    name: "ky's retry",
    retries: 'fresh-call',
    make: ({ provider, origins }) =>
      kyUniformClient(ky as never, provider, origins, {
        throwHttpErrors: true,
        retry: { limit: 2, delay: () => 0 },
      }),
  },
]);
