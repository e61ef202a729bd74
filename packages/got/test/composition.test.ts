/** gotAuth under got's own retry, on got 16 and got 15. */
import { describeComposition } from '@m2m-auth/test-utils/conformance';
import got from 'got';
import got15 from 'got-15';
import { gotUniformClient } from './uniform-client.ts';

// got's retry, fast: no backoff, no jitter (the rows count attempts, not seconds).
const retry = { retry: { limit: 2, backoffLimit: 1, noise: 0 } };

describeComposition('gotAuth', [
  {
    name: "got 16's retry",
    retries: 'linked',
    make: ({ provider, origins }) => gotUniformClient(got as never, provider, origins, retry),
  },
  {
    name: "got 15's retry",
    retries: 'linked',
    make: ({ provider, origins }) => gotUniformClient(got15 as never, provider, origins, retry),
  },
]);
