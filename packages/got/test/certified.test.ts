import { describeCertified } from '@m2m-auth/test-utils/conformance';
import got from 'got';
import { gotUniformClient } from './uniform-client.ts';

describeCertified('gotAuth (got 16)', ({ provider, origins }) =>
  gotUniformClient(got as never, provider, origins),
);
