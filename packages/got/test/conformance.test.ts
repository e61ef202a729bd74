import { Readable } from 'node:stream';
import { type ConformanceBody, describeAdapterConformance } from '@m2m-auth/test-utils/conformance';
import got, { type Response } from 'got';
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

describeAdapterConformance('gotAuth (got 16)', ({ provider, origins }) => {
  const client = got.extend(
    { throwHttpErrors: false, retry: { limit: 0 } },
    gotAuth(provider, { origins }),
  );
  return async ({ method = 'GET', url, headers = {}, body: described }) => {
    const response = (await client(url, {
      method: method as 'GET',
      headers,
      ...body(described),
    })) as Response<string>;
    return { status: response.statusCode, body: String(response.body) };
  };
});
