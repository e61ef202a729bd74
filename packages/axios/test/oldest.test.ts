/**
 * The oldest axios our peer range allows (^1.6.0, installed as `axios-oldest`): the whole
 * conformance suite and the composition matrix, as for the newest.
 */
import { describeAdapterConformance, describeComposition } from '@m2m-auth/test-utils/conformance';
import type { AxiosInstance } from 'axios';
import axios from 'axios-oldest';
import axiosRetry from 'axios-retry';
import { expect, it } from 'vitest';
import { axiosAuth } from '../src/index.ts';
import { axiosUniformClient, textInstanceConfig } from './uniform-client.ts';

const create = () => axios.create(textInstanceConfig) as unknown as AxiosInstance;

it('runs against axios 1.6.0', () => {
  expect(axios.VERSION).toBe('1.6.0');
});

describeAdapterConformance('axiosAuth (axios 1.6.0)', ({ provider, origins }) => {
  const instance = create();
  axiosAuth(instance, provider, { origins });
  return axiosUniformClient(instance);
});

describeComposition('axiosAuth (axios 1.6.0)', [
  {
    name: 'axios-retry installed after axiosAuth',
    retries: 'linked',
    make: ({ provider, origins }) => {
      const instance = create();
      axiosAuth(instance, provider, { origins });
      axiosRetry(instance as never, { retries: 2, retryDelay: () => 0 });
      return axiosUniformClient(instance);
    },
  },
]);
