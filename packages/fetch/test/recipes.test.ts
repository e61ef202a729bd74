/**
 * The README's recipes ("Recipes"), each with the library's own wiring of a `fetch`:
 * openapi-fetch (`createClient({ fetch })`, with its middlewares above fetchAuth), ofetch
 * (`ofetch.create(defaults, { fetch })`), graphql-request (`new GraphQLClient(url, { fetch })`)
 * and Apollo Client (`new HttpLink({ uri, fetch })`). Against the test servers, each shows the
 * token on the API's origin, a revocation costing one refresh and one replay (the POST body
 * whole again), and nothing sent to another origin.
 */
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { createTokenProvider } from '@m2m-auth/core';
import { useTestServers } from '@m2m-auth/test-utils/conformance';
import { GraphQLClient } from 'graphql-request';
import { ofetch } from 'ofetch';
import createClient from 'openapi-fetch';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchAuth } from '../src/index.ts';

interface Echo {
  method: string;
  path: string;
  bodyLength: number;
  sub: string;
}
const ECHO = 'query Echo { echo { method path bodyLength sub } }';
const ORDER = 'mutation Order($sku: String!) { echo { method path bodyLength sub } }';

describe('recipes: fetchAuth as the fetch of', () => {
  const servers = useTestServers();
  let authedFetch: typeof fetch;
  beforeEach(() => {
    const tokens = createTokenProvider({
      tokenUrl: servers.auth.tokenUrl('generic'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    });
    authedFetch = fetchAuth(tokens, { origins: [servers.api.url] });
  });

  /** A call, a revocation, a POST: the API saw 200, 401, 200, each with a token, the body twice whole. */
  async function expectOneRefreshAfterRevoke(
    call: () => Promise<unknown>,
    post: () => Promise<unknown>,
  ) {
    await call();
    servers.auth.control.revokeAll();
    await post();
    const [first, refused, replay] = servers.api.requests;
    expect(servers.api.requests.map((r) => [r.method, r.status])).toEqual([
      [first?.method, 200],
      ['POST', 401],
      ['POST', 200],
    ]);
    expect(servers.api.requests.every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
    expect(refused?.authorization).not.toBe(replay?.authorization);
    expect(replay?.bodyLength).toBeGreaterThan(0);
    expect(replay?.bodyLength).toBe(refused?.bodyLength);
    expect(servers.auth.stats.issued).toBe(2);
  }
  const expectNothingElsewhere = (path: string) =>
    expect(servers.other.received.map((r) => [r.path, r.authorization])).toEqual([
      [path, undefined],
    ]);

  it('openapi-fetch: createClient({ baseUrl, fetch })', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: no OpenAPI schema for the test API
    const client = createClient<any>({ baseUrl: servers.api.url, fetch: authedFetch });
    const order = { sku: 'a-1', quantity: 3 };
    await expectOneRefreshAfterRevoke(
      async () =>
        expect((await client.GET('/echo/things/1', {})).data).toMatchObject({ sub: 'demo-client' }),
      async () =>
        expect((await client.POST('/echo/orders', { body: order })).data).toMatchObject({
          bodyLength: JSON.stringify(order).length,
        }),
    );
    const elsewhere = await client.GET('/elsewhere', { baseUrl: servers.other.url });
    expect(elsewhere.response.status).toBe(200);
    expectNothingElsewhere('/elsewhere');
  });

  it("openapi-fetch's middlewares run once per call, above fetchAuth: no token in sight, the replayed answer", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: no OpenAPI schema for the test API
    const client = createClient<any>({ baseUrl: servers.api.url, fetch: authedFetch });
    const seen: Array<string | number | null> = [];
    client.use({
      onRequest: ({ request }) => void seen.push(request.headers.get('authorization')),
      onResponse: ({ response }) => void seen.push(response.status),
    });
    await client.GET('/echo/warm', {});
    servers.auth.control.revokeAll();
    const { response } = await client.POST('/echo/orders', { body: { sku: 'a-1' } });
    expect(response.status).toBe(200);
    expect(seen).toEqual([null, 200, null, 200]);
    expect(servers.api.requests.map((r) => r.status)).toEqual([200, 401, 200]);
  });

  it('openapi-fetch: an Authorization set by a middleware is yours, sent as it is', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: no OpenAPI schema for the test API
    const client = createClient<any>({ baseUrl: servers.api.url, fetch: authedFetch });
    client.use({
      onRequest: ({ request }) => {
        request.headers.set('authorization', 'Bearer a-user-token');
        return request;
      },
    });
    const { response } = await client.GET('/echo/mine', {});
    expect(response.status).toBe(401);
    expect(servers.api.requests.map((r) => [r.authorization, r.status])).toEqual([
      ['Bearer a-user-token', 401],
    ]);
    expect(servers.auth.stats.total).toBe(0);
  });

  it('ofetch: ofetch.create(defaults, { fetch })', async () => {
    const api = ofetch.create({ baseURL: servers.api.url }, { fetch: authedFetch });
    const order = { sku: 'a-1', quantity: 3 };
    await expectOneRefreshAfterRevoke(
      async () => expect(await api<Echo>('/echo/things/1')).toMatchObject({ sub: 'demo-client' }),
      async () =>
        expect(await api<Echo>('/echo/orders', { method: 'POST', body: order })).toMatchObject({
          bodyLength: JSON.stringify(order).length,
        }),
    );
    expect(await api(`${servers.other.url}/elsewhere`)).toEqual({ origin: 'other' });
    expectNothingElsewhere('/elsewhere');
  });

  it('graphql-request: new GraphQLClient(url, { fetch })', async () => {
    const client = new GraphQLClient(`${servers.api.url}/graphql`, { fetch: authedFetch });
    await expectOneRefreshAfterRevoke(
      async () => expect((await client.request<{ echo: Echo }>(ECHO)).echo.sub).toBe('demo-client'),
      async () =>
        expect((await client.request<{ echo: Echo }>(ORDER, { sku: 'a-1' })).echo.path).toBe(
          '/graphql',
        ),
    );
    // Another origin gets no token (what graphql-request makes of its non-GraphQL answer is
    // beside the point).
    const elsewhere = new GraphQLClient(`${servers.other.url}/graphql`, { fetch: authedFetch });
    await elsewhere.request(ECHO).catch(() => undefined);
    expectNothingElsewhere('/graphql');
  });

  it('Apollo Client: new HttpLink({ uri, fetch })', async () => {
    const apollo = (uri: string) =>
      new ApolloClient({
        link: new HttpLink({ uri, fetch: authedFetch }),
        cache: new InMemoryCache(),
      });
    const client = apollo(`${servers.api.url}/graphql`);
    await expectOneRefreshAfterRevoke(
      async () => {
        const { data } = await client.query<{ echo: Echo }>({
          query: gql(ECHO),
          fetchPolicy: 'no-cache',
        });
        expect(data?.echo.sub).toBe('demo-client');
      },
      async () => {
        const { data } = await client.mutate<{ echo: Echo }>({
          mutation: gql(ORDER),
          variables: { sku: 'a-1' },
          fetchPolicy: 'no-cache',
        });
        expect(data?.echo.path).toBe('/graphql');
      },
    );
    const elsewhere = apollo(`${servers.other.url}/graphql`);
    await elsewhere.query({ query: gql(ECHO), fetchPolicy: 'no-cache' }).catch(() => undefined);
    expectNothingElsewhere('/graphql');
  });
});
