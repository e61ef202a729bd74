/** axiosAuth with axios-retry, installed before and after it: the order does not matter. */
import { describeComposition } from '@m2m-auth/test-utils/conformance';
import axios from 'axios';
import axiosRetry from 'axios-retry';
import { axiosAuth } from '../src/index.ts';
import { axiosUniformClient, textInstanceConfig } from './uniform-client.ts';

const retry = { retries: 2, retryDelay: () => 0 };

describeComposition('axiosAuth', [
  {
    name: 'axios-retry installed after axiosAuth',
    retries: 'linked',
    make: ({ provider, origins }) => {
      const instance = axios.create(textInstanceConfig);
      axiosAuth(instance, provider, { origins });
      axiosRetry(instance, retry);
      return axiosUniformClient(instance);
    },
  },
  {
    name: 'axios-retry installed before axiosAuth',
    retries: 'linked',
    make: ({ provider, origins }) => {
      const instance = axios.create(textInstanceConfig);
      axiosRetry(instance, retry);
      axiosAuth(instance, provider, { origins });
      return axiosUniformClient(instance);
    },
  },
]);
