import { describeCertified } from '@m2m-auth/test-utils/conformance';
import ky from 'ky';
import { kyUniformClient } from './uniform-client.ts';

describeCertified('kyAuth (ky 2)', ({ provider, origins }) =>
  kyUniformClient(ky as never, provider, origins),
);
