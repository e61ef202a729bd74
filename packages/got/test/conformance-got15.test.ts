import { describeAdapterConformance } from '@m2m-auth/test-utils/conformance';
import got15 from 'got-15';
import { gotUniformClient } from './uniform-client.ts';

// The previous got major, installed as the npm alias `got-15`.
// got 15 serialises a FormData body into a stream it cannot send twice (got 16 can).
describeAdapterConformance(
  'gotAuth (got 15)',
  ({ provider, origins }) => gotUniformClient(got15 as never, provider, origins),
  { formDataIsOneShot: true },
);
