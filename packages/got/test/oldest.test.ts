/**
 * The oldest got our peer range allows (^15.0.0, installed as `got-oldest`): the whole
 * conformance suite and the composition matrix, as for got 16.
 */
import { describeAdapterConformance, describeComposition } from '@m2m-auth/test-utils/conformance';
import got from 'got-oldest';
import { gotUniformClient } from './uniform-client.ts';

// got 15 serialises a FormData body into a stream it cannot send twice.
describeAdapterConformance(
  'gotAuth (got 15.0.0)',
  ({ provider, origins }) => gotUniformClient(got as never, provider, origins),
  { formDataIsOneShot: true },
);

describeComposition('gotAuth (got 15.0.0)', [
  {
    name: "got's retry",
    retries: 'linked',
    make: ({ provider, origins }) =>
      gotUniformClient(got as never, provider, origins, {
        retry: { limit: 2, backoffLimit: 1, noise: 0 },
      }),
  },
]);
