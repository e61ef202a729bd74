import { describeAdapterConformance } from '@m2m-auth/test-utils/conformance';
import ky from 'ky';
import ky1 from 'ky-1';
import { kyUniformClient } from './uniform-client.ts';

describeAdapterConformance('kyAuth (ky 2, default retry)', ({ provider, origins }) =>
  kyUniformClient(ky as never, provider, origins),
);

// With `retry: 0` ky keeps no copy of the body and `ky.retry()` would throw: the replay must not need either.
describeAdapterConformance('kyAuth (ky 2, retry: 0)', ({ provider, origins }) =>
  kyUniformClient(ky as never, provider, origins, { retry: 0 }),
);

// The previous ky major, installed as the npm alias `ky-1`.
describeAdapterConformance('kyAuth (ky 1)', ({ provider, origins }) =>
  kyUniformClient(ky1 as never, provider, origins),
);
