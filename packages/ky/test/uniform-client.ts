/** The conformance suite's uniform client over ky 2 and ky 1 (installed as `ky-1`). */
import type { TokenProvider } from '@m2m-auth/core';
import {
  type ConformanceBody,
  streamOf,
  type UniformClient,
} from '@m2m-auth/test-utils/conformance';
import { kyAuth } from '../src/index.ts';

/** The native ky option for each body the suite describes. */
function body(described: ConformanceBody | undefined): Record<string, unknown> {
  switch (described?.kind) {
    case undefined:
      return {};
    case 'json':
      return { json: described.value };
    case 'urlencoded':
      return { body: new URLSearchParams(described.value) };
    case 'formdata': {
      const form = new FormData();
      for (const [name, value] of Object.entries(described.value)) form.set(name, value);
      return { body: form };
    }
    case 'stream':
      return { body: streamOf(described.chunks), duplex: 'half' };
  }
}

interface KyLike {
  create(options: object): (url: string, options: object) => Promise<Response>;
}

export function kyUniformClient(
  ky: KyLike,
  provider: TokenProvider,
  origins: string[],
  clientOptions: object = {},
): UniformClient {
  const client = ky.create({
    throwHttpErrors: false,
    ...clientOptions,
    ...kyAuth(provider, { origins }),
  });
  return async ({ method = 'GET', url, headers = {}, body: described, signal }) => {
    const options = { method, headers, ...body(described), ...(signal ? { signal } : {}) };
    // ky retries a status only on the way to throwing an HTTPError: a client with
    // `throwHttpErrors: true` gets the error's response back as the answer.
    try {
      const response = await client(url, options);
      return { status: response.status, body: await response.text() };
    } catch (error) {
      const { response, data } = error as { response?: Response; data?: unknown };
      if ((error as Error).name !== 'HTTPError' || !response) throw error;
      // ky 2 has read the body into `data`; ky 1 leaves it on the response.
      const body = data === undefined ? await response.text() : JSON.stringify(data);
      return { status: response.status, body };
    }
  };
}
