/** The conformance suite's uniform client over an axios instance. */
import { Readable } from 'node:stream';
import type { ConformanceBody, UniformClient } from '@m2m-auth/test-utils/conformance';
import { type AxiosInstance, isAxiosError } from 'axios';

/** The native axios form of each body the suite describes. */
function data(described: ConformanceBody | undefined): unknown {
  switch (described?.kind) {
    case undefined:
      return undefined;
    case 'json':
      return described.value;
    case 'urlencoded':
      return new URLSearchParams(described.value);
    case 'formdata': {
      const form = new FormData();
      for (const [name, value] of Object.entries(described.value)) form.set(name, value);
      return form;
    }
    case 'stream':
      return Readable.from(described.chunks);
  }
}

/** `instance` must answer with text (`responseType: 'text'`, no JSON parsing). */
export function axiosUniformClient(instance: AxiosInstance): UniformClient {
  return async ({ method = 'GET', url, headers = {}, body, signal }) => {
    try {
      const response = await instance.request<string>({
        method,
        url,
        headers,
        data: data(body),
        ...(signal ? { signal } : {}),
      });
      return { status: response.status, body: response.data };
    } catch (error) {
      if (isAxiosError<string>(error) && error.response) {
        return { status: error.response.status, body: error.response.data };
      }
      throw error;
    }
  };
}

export const textInstanceConfig = {
  responseType: 'text',
  transitional: { silentJSONParsing: false },
} as const;
