import { describeCertified } from '@m2m-auth/test-utils/conformance';
import { fetchAuth } from '../src/index.ts';

describeCertified('fetchAuth', ({ provider, origins }) => {
  const authedFetch = fetchAuth(provider, { origins });
  return async ({ method = 'GET', url, headers = {}, body }) => {
    const json = body?.kind === 'json' ? JSON.stringify(body.value) : undefined;
    const response = await authedFetch(url, {
      method,
      headers: json ? { ...headers, 'content-type': 'application/json' } : headers,
      ...(json ? { body: json } : {}),
    });
    return { status: response.status, body: await response.text() };
  };
});
