/** The conformance suite's uniform client over any got major (16, and 15 through `got-15`). */
import { Readable } from 'node:stream';
import type { TokenProvider } from '@m2m-auth/core';
import type { ConformanceBody, UniformClient } from '@m2m-auth/test-utils/conformance';
import { gotAuth } from '../src/index.ts';

/** The native got option for each body the suite describes. */
function body(described: ConformanceBody | undefined) {
  switch (described?.kind) {
    case undefined:
      return {};
    case 'json':
      return { json: described.value };
    case 'urlencoded':
      return { form: described.value };
    case 'formdata': {
      const form = new FormData();
      for (const [name, value] of Object.entries(described.value)) form.set(name, value);
      return { body: form };
    }
    case 'stream':
      return { body: Readable.from(described.chunks) };
  }
}

/** The slice of a got instance this needs, so got 15 and 16 both fit. */
interface GotLike {
  extend(...options: object[]): (url: string, options: object) => Promise<unknown>;
}

export function gotUniformClient(
  got: GotLike,
  provider: TokenProvider,
  origins: string[],
  /** Options of the user's own, such as got's `retry`. @default no retries */
  own: object = { retry: { limit: 0 } },
): UniformClient {
  const client = got.extend({ throwHttpErrors: false }, own, gotAuth(provider, { origins }));
  return async ({ method = 'GET', url, headers = {}, body: described, signal }) => {
    const options = { method, headers, ...body(described), ...(signal ? { signal } : {}) };
    const response = (await client(url, options)) as {
      statusCode: number;
      body: string;
    };
    return { status: response.statusCode, body: response.body };
  };
}
