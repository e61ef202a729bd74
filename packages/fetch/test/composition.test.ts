/**
 * fetchAuth inside what fetch users run: ofetch's retry, openapi-fetch (it hands fetch a
 * `Request`), and undici's own fetch with undici `Request`s and an Agent composed with
 * undici's retry interceptor.
 */
import {
  type ConformanceBody,
  describeComposition,
  type UniformClient,
} from '@m2m-auth/test-utils/conformance';
import { ofetch } from 'ofetch';
import createClient from 'openapi-fetch';
import { Agent, interceptors, Request as UndiciRequest, fetch as undiciFetch } from 'undici';
import { afterAll } from 'vitest';
import { fetchAuth } from '../src/index.ts';

const jsonOf = (body: ConformanceBody | undefined) => {
  if (body && body.kind !== 'json')
    throw new Error(`the composition rows send JSON, not ${body.kind}`);
  return body?.value;
};

const agents: Agent[] = [];
afterAll(() => Promise.all(agents.map((agent) => agent.close())));

describeComposition('fetchAuth', [
  {
    name: "ofetch's retry",
    retries: 'fresh-call',
    make: ({ provider, origins }): UniformClient => {
      const api = ofetch.create(
        { retry: 2, retryDelay: 0, responseType: 'text' },
        { fetch: fetchAuth(provider, { origins }) },
      );
      return async ({ method = 'GET', url, body }) => {
        const value = jsonOf(body);
        const response = await api
          .raw<string>(url, { method, ...(value === undefined ? {} : { body: value as object }) })
          .catch((error: { response?: Response & { _data?: string } }) => {
            if (!error.response) throw error;
            return error.response;
          });
        return { status: response.status, body: String(response._data ?? '') };
      };
    },
  },
  {
    name: 'openapi-fetch (a Request per call, no retry of its own)',
    retries: 'none',
    make: ({ provider, origins, servers }): UniformClient => {
      // biome-ignore lint/suspicious/noExplicitAny: no OpenAPI schema for the test API
      const client = createClient<any>({
        baseUrl: servers.api.url,
        fetch: fetchAuth(provider, { origins }),
      });
      return async ({ method = 'GET', url, body }) => {
        const { pathname, search } = new URL(url);
        const path = `${pathname}${search}`;
        const value = jsonOf(body);
        const { response, data, error } =
          method === 'POST'
            ? await client.POST(path, { body: value, parseAs: 'text' })
            : await client.GET(path, { parseAs: 'text' });
        return { status: response.status, body: String(data ?? error ?? '') };
      };
    },
  },
  {
    name: "undici's fetch with undici Requests and an Agent with undici's retry interceptor",
    retries: 'below',
    make: ({ provider, origins }): UniformClient => {
      const retrying = new Agent();
      agents.push(retrying);
      const dispatcher = retrying.compose(
        interceptors.retry({ maxRetries: 2, minTimeout: 1, maxTimeout: 1, timeoutFactor: 1 }),
      );
      const authedFetch = fetchAuth(provider, { origins, fetch: undiciFetch });
      return async ({ method = 'GET', url, body }) => {
        const value = jsonOf(body);
        const request = new UndiciRequest(url, {
          method,
          ...(value === undefined
            ? {}
            : { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } }),
        });
        const response = await authedFetch(request, { dispatcher });
        return { status: response.status, body: await response.text() };
      };
    },
  },
]);
