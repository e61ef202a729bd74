/**
 * The uniform clients the shared suites drive: undici's `request` on an `Agent` composed with
 * undiciAuth (any undici major: 6, 7, 8 are installed side by side), undici's `fetch` on it,
 * and the global fetch on whatever dispatcher the test installed.
 */
import { Readable } from 'node:stream';
import { isM2MAuthError } from '@m2m-auth/core';
import type {
  CompositionVariant,
  ConformanceBody,
  MakeClient,
  UniformClient,
  UniformRequest,
} from '@m2m-auth/test-utils/conformance';
import type * as Undici from 'undici';
import { afterAll } from 'vitest';
import { type UndiciAuthOptions, type UndiciInterceptor, undiciAuth } from '../src/index.ts';

/** undici 6, 7 or 8, typed as the newest: the parts these tests use are the same in each. */
export type UndiciModule = typeof Undici;
type Interceptor = Undici.Dispatcher.DispatcherComposeInterceptor;
type Dispatcher = Undici.Dispatcher;

const closing: Array<{ close(): Promise<void> }> = [];
afterAll(() => Promise.all(closing.splice(0).map((agent) => agent.close())));

/** A new Agent of `undici`, closed after the file's tests. */
export function agentOf(undici: UndiciModule): Undici.Agent {
  const agent = new undici.Agent();
  closing.push(agent);
  return agent;
}

/** Our interceptor, typed as the undici under test takes it. */
export const auth = (...args: Parameters<typeof undiciAuth>) =>
  undiciAuth(...args) as UndiciInterceptor as unknown as Interceptor;

/** `request()`'s form of each body the suites describe (JSON and none as for fetch). */
function requestBody(
  undici: UndiciModule,
  described: ConformanceBody | undefined,
): { body?: unknown; headers?: Record<string, string> } {
  switch (described?.kind) {
    case 'urlencoded':
      return {
        body: new URLSearchParams(described.value).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
    case 'formdata': {
      const form = new undici.FormData();
      for (const [name, value] of Object.entries(described.value)) form.set(name, value);
      return { body: form };
    }
    case 'stream':
      // A Node stream: sent as it is, never again (its 401 comes back).
      return { body: Readable.from(described.chunks.map((chunk) => Buffer.from(chunk))) };
    default: {
      const { body, headers } = fetchInit(described);
      return { body, headers: headers as Record<string, string> };
    }
  }
}

/** `request()` through `dispatcher`; every status resolves, errors reject as they come. */
export function requestThrough(undici: UndiciModule, dispatcher: Dispatcher): UniformClient {
  return async ({ method = 'GET', url, headers = {}, body: described, signal }) => {
    const { body, headers: bodyHeaders } = requestBody(undici, described);
    const response = await undici.request(url, {
      dispatcher,
      method: method as Undici.Dispatcher.HttpMethod,
      headers: { ...bodyHeaders, ...headers },
      body: body as string,
      ...(signal ? { signal } : {}),
    });
    return { status: response.statusCode, body: await response.body.text() };
  };
}

/**
 * The suites' client on undici's `request`: an Agent composed with undiciAuth and, outside
 * it, undici's redirect interceptor (each hop passes through undiciAuth).
 */
export function requestClient(undici: UndiciModule, options?: UndiciAuthOptions): MakeClient {
  return ({ provider, origins }) => {
    const dispatcher = agentOf(undici).compose(
      auth(provider, { origins, ...options }),
      undici.interceptors.redirect({ maxRedirections: 5 }),
    );
    return requestThrough(undici, dispatcher);
  };
}

/** The fetch form of each body (the same for the global fetch and undici's). */
export function fetchInit(
  described: ConformanceBody | undefined,
  form?: () => FormData,
): RequestInit {
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
      const data = form ? form() : new FormData();
      for (const [name, value] of Object.entries(described.value)) data.set(name, value);
      return { body: data };
    }
    case 'stream':
      return {
        body: Readable.toWeb(Readable.from(described.chunks)),
        duplex: 'half',
      } as RequestInit;
  }
}

/**
 * A fetch as the suites' client. A token error reaches a fetch caller as fetch's
 * `TypeError('fetch failed')` with our typed error as its `cause`: handed on as that error.
 */
export function fetchThrough(
  send: (url: string, init: RequestInit) => Promise<Response>,
  form?: () => FormData,
): UniformClient {
  return async ({ method = 'GET', url, headers = {}, body: described, signal }: UniformRequest) => {
    const init = fetchInit(described, form);
    const response = await send(url, {
      ...init,
      ...(signal ? { signal } : {}),
      method,
      headers: { ...(init.headers as Record<string, string> | undefined), ...headers },
    }).catch((error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      throw isM2MAuthError(cause) ? cause : error;
    });
    return { status: response.status, body: await response.text() };
  };
}

/** undici's retry interceptor with no waiting: 2 retries of 5xx, 429 and reset sockets. */
export const quickRetry = (undici: UndiciModule) =>
  undici.interceptors.retry({ maxRetries: 2, minTimeout: 1, maxTimeout: 1, timeoutFactor: 1 });

/**
 * The composition matrix's variants on one undici: `request` with undici's retry interceptor
 * outside undiciAuth (its retries pass through us: the same logical request) and inside it
 * (it re-sends the bytes we sent), and undici's own `fetch` on the same kind of Agent. The
 * redirect interceptor is outermost, so each hop passes through undiciAuth.
 */
export function compositionVariants(undici: UndiciModule, label: string): CompositionVariant[] {
  const redirect = () => undici.interceptors.redirect({ maxRedirections: 5 });
  return [
    {
      name: `${label} request(), retry interceptor outside undiciAuth`,
      retries: 'linked',
      make: ({ provider, origins }) =>
        requestThrough(
          undici,
          agentOf(undici).compose(auth(provider, { origins }), quickRetry(undici), redirect()),
        ),
    },
    {
      name: `${label} request(), retry interceptor inside undiciAuth`,
      retries: 'below',
      make: ({ provider, origins }) =>
        requestThrough(
          undici,
          agentOf(undici).compose(quickRetry(undici), auth(provider, { origins }), redirect()),
        ),
    },
    {
      name: `${label} fetch() with a dispatcher, retry interceptor outside undiciAuth`,
      retries: 'linked',
      make: ({ provider, origins }) => {
        const dispatcher = agentOf(undici).compose(auth(provider, { origins }), quickRetry(undici));
        return fetchThrough(
          (url, init) =>
            undici.fetch(url, {
              ...init,
              dispatcher,
            } as Undici.RequestInit) as unknown as Promise<Response>,
          () => new undici.FormData() as unknown as FormData,
        );
      },
    },
  ];
}

/**
 * Node's global fetch as the suites' client, with `install` putting this client's dispatcher
 * in place before each call: a suite may hold two clients at once (two providers), and a
 * process has one global dispatcher. fetch reads it when called.
 */
export function globalFetchVia(install: () => void): UniformClient {
  const send = fetchThrough((url, init) => fetch(url, init));
  return (request) => {
    install();
    return send(request);
  };
}

/**
 * The undici package of the major the running Node bundles (what the README tells users to
 * install for the global fetch: 7 on Node 24, 6 on Node 22, here its oldest supported
 * release), and the global dispatcher as it was, put back after the file's tests.
 */
export async function undiciOfThisNode() {
  const major = Number(process.versions['undici']?.split('.')[0]);
  const undici = (await (major === 6
    ? import('undici-oldest')
    : import('undici-7'))) as unknown as UndiciModule;
  const base = undici.getGlobalDispatcher();
  afterAll(() => undici.setGlobalDispatcher(base));
  return { undici, base, major };
}
