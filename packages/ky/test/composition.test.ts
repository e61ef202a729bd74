/** kyAuth under ky's own retry, on ky 2 and ky 1. */
import { describeComposition } from '@m2m-auth/test-utils/conformance';
import ky from 'ky';
import ky1 from 'ky-1';
import { kyUniformClient } from './uniform-client.ts';

// ky's retry with no backoff (the rows count attempts, not seconds). ky retries a status only
// when it throws HTTPErrors, as it does by default.
const retry = { throwHttpErrors: true, retry: { limit: 2, delay: () => 0 } };

describeComposition('kyAuth', [
  {
    name: "ky 2's retry",
    retries: 'linked',
    make: ({ provider, origins }) => kyUniformClient(ky as never, provider, origins, retry),
  },
  {
    name: "ky 1's retry",
    retries: 'linked',
    make: ({ provider, origins }) => kyUniformClient(ky1 as never, provider, origins, retry),
  },
]);
