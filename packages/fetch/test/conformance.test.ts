import {
  type ConformanceBody,
  describeAdapterConformance,
  streamOf,
} from '@m2m-auth/test-utils/conformance';
import { fetchAuth } from '../src/index.ts';

/** The native fetch form of each body the suite describes. */
function body(described: ConformanceBody | undefined): RequestInit {
  switch (described?.kind) {
    case undefined:
      return {};
    case 'json':
      return {
        body: JSON.stringify(described.value),
        headers: { 'content-type': 'application/json' },
      };
    case 'urlencoded':
      return { body: new URLSearchParams(described.value) };
    case 'formdata': {
      const form = new FormData();
      for (const [name, value] of Object.entries(described.value)) form.set(name, value);
      return { body: form };
    }
    case 'stream':
      return { body: streamOf(described.chunks), duplex: 'half' } as RequestInit;
  }
}

describeAdapterConformance('fetchAuth', ({ provider, origins }) => {
  const authedFetch = fetchAuth(provider, { origins });
  return async ({ method = 'GET', url, headers = {}, body: described, signal }) => {
    const init = body(described);
    const response = await authedFetch(url, {
      ...init,
      ...(signal ? { signal } : {}),
      method,
      headers: { ...(init.headers as Record<string, string> | undefined), ...headers },
    });
    return { status: response.status, body: await response.text() };
  };
});
