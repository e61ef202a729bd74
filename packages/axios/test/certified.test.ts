import { describeCertified } from '@m2m-auth/test-utils/conformance';
import axios from 'axios';
import { axiosAuth } from '../src/index.ts';
import { axiosUniformClient, textInstanceConfig } from './uniform-client.ts';

describeCertified('axiosAuth', ({ provider, origins }) => {
  const instance = axios.create(textInstanceConfig);
  axiosAuth(instance, provider, { origins });
  return axiosUniformClient(instance);
});
