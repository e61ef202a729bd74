/**
 * Provokes every error kind and scans everything the library lets out (message, stack,
 * cause, toJSON, util.inspect, events, logger calls, the provider itself) for the client
 * secret in each form it takes on the wire, and for every access token issued.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { basicAuthorization, formEncode } from '../src/client-auth.ts';
import { ErrorCode, isM2MAuthError } from '../src/errors.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import type { FetchLike } from '../src/token-endpoint.ts';
import { createTokenProvider } from '../src/token-provider.ts';

const CLIENT_ID = 'leak-check:client';
const SECRET = 'Sup3r-Secret/Value!+';
const ISSUED = 'issued-access-token-7f3a9c';

const basicEncoded = basicAuthorization(CLIENT_ID, SECRET, true).slice(6);
const basicRaw = basicAuthorization(CLIENT_ID, SECRET, false).slice(6);
const forbidden = [
  SECRET,
  formEncode(SECRET),
  encodeURIComponent(SECRET),
  basicEncoded,
  basicRaw,
  ISSUED,
];

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A server that echoes everything it was sent back in its error description. */
function echo(status: number): FetchLike {
  return async (_url, init) => {
    const authorization = new Headers(init.headers).get('authorization');
    return json(status, {
      error: 'invalid_client',
      error_description: `got ${authorization} and ${String(init.body)}; your old token ${ISSUED} is revoked`,
      error_uri: `https://docs.example/?secret=${SECRET}`,
    });
  };
}

const scenarios: Array<{ name: string; code: string; options: Partial<TokenProviderOptions> }> = [
  {
    name: 'an OAuth error echoing Basic credentials',
    code: ErrorCode.OAUTH,
    options: { fetch: echo(401) },
  },
  {
    name: 'an OAuth error echoing post credentials',
    code: ErrorCode.OAUTH,
    options: { fetch: echo(400), clientAuth: 'client_secret_post' },
  },
  { name: 'an OAuth error on a 200', code: ErrorCode.OAUTH, options: { fetch: echo(200) } },
  {
    name: 'a network error whose cause quotes the request',
    code: ErrorCode.NETWORK,
    options: {
      fetch: async (_url, init) => {
        const auth = new Headers(init.headers).get('authorization');
        throw new TypeError(`boom Authorization: ${auth} body=${String(init.body)}`, {
          cause: Object.assign(new Error(`inner ${SECRET} ${ISSUED}`), { code: 'ECONNRESET' }),
        });
      },
    },
  },
  {
    name: 'a timeout',
    code: ErrorCode.TIMEOUT,
    options: {
      timeoutMs: 20,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    },
  },
  {
    name: 'an HTML 200',
    code: ErrorCode.INVALID_RESPONSE,
    options: {
      fetch: async () =>
        new Response(`<html>${SECRET} ${ISSUED}</html>`, {
          headers: { 'content-type': 'text/html' },
        }),
    },
  },
  {
    name: 'a body over the size cap',
    code: ErrorCode.RESPONSE_TOO_LARGE,
    options: {
      maxResponseBytes: 64,
      fetch: async () => json(200, { access_token: ISSUED, pad: SECRET.repeat(10) }),
    },
  },
  {
    name: 'an unsupported token type carrying the token',
    code: ErrorCode.UNSUPPORTED_TOKEN_TYPE,
    options: {
      fetch: async () => json(200, { access_token: ISSUED, token_type: `${ISSUED}-${SECRET}` }),
    },
  },
  {
    name: 'a bare 500 after retries',
    code: ErrorCode.HTTP,
    options: {
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      fetch: async () => new Response(`${SECRET}`, { status: 500 }),
    },
  },
];

function expectClean(label: string, text: string) {
  for (const value of forbidden) {
    if (text.includes(value))
      throw new Error(`${label} contains a secret or token (${value.length} chars)`);
  }
}

describe('no secret or token ever leaves the library', () => {
  it.each(scenarios)('$name', async ({ code, options }) => {
    const captured: unknown[] = [];
    const log = (...args: unknown[]) => captured.push(args);
    // A first, successful token request, so the provider has issued ISSUED and knows it.
    let first = true;
    const fetch: FetchLike = async (url, init) => {
      if (first) {
        first = false;
        return json(200, { access_token: ISSUED, expires_in: 60 });
      }
      return (options.fetch as FetchLike)(url, init);
    };
    const provider = createTokenProvider({
      tokenUrl: 'https://auth.leak.test/token',
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      ...options,
      fetch,
      onEvent: (event) => captured.push(event),
      logger: { debug: log, info: log, warn: log, error: log },
    });
    expect((await provider.getToken()).accessToken).toBe(ISSUED);
    await provider.invalidate(ISSUED);
    const error = await provider.getToken().catch((e: unknown) => e);

    expect(isM2MAuthError(error)).toBe(true);
    expect(error).toMatchObject({ code });
    const e = error as Error;
    expectClean('message', e.message);
    expectClean('stack', e.stack ?? '');
    expectClean('cause', String(e.cause));
    expectClean('cause stack', (e.cause as Error | undefined)?.stack ?? '');
    expectClean('JSON', JSON.stringify(e));
    expectClean('inspect', inspect(e, { depth: 10, showHidden: true }));
    expectClean('provider', inspect(provider, { depth: 10, showHidden: true }));
    expectClean('events and logs', inspect(captured, { depth: 10 }) + JSON.stringify(captured));
    expect(captured.length).toBeGreaterThan(0);
  });

  it("keeps a network error's cause chain, redacted: names, messages, codes, nested causes", async () => {
    const loop = new Error(`loop ${SECRET}`);
    loop.cause = loop; // a cycle: the copy stops three causes below the thrown error
    const provider = createTokenProvider({
      tokenUrl: 'https://auth.leak.test/token',
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      retry: { maxAttempts: 1 },
      fetch: async () => {
        throw new TypeError(`fetch failed ${SECRET}`, {
          cause: Object.assign(new Error(`connect ECONNREFUSED ${formEncode(SECRET)}`), {
            code: 'ECONNREFUSED',
            errno: -111,
            cause: loop,
          }),
        });
      },
    });
    const error = (await provider.getToken().catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({
      code: ErrorCode.NETWORK,
      message: 'Token endpoint unreachable: fetch failed [REDACTED] (ECONNREFUSED)',
    });
    const cause = error.cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(cause).toMatchObject({ name: 'TypeError', message: 'fetch failed [REDACTED]' });
    expect(cause.stack).toMatch(/^TypeError: fetch failed \[REDACTED\]\n\s+at /);
    const refused = cause.cause as Error & { code?: unknown; errno?: unknown };
    expect(refused).toMatchObject({
      name: 'Error',
      message: 'connect ECONNREFUSED [REDACTED]',
      code: 'ECONNREFUSED',
    });
    expect(refused.errno).toBeUndefined(); // only a string code is kept
    const looped = refused.cause as Error;
    expect(looped.message).toBe('loop [REDACTED]');
    expect((looped.cause as Error).message).toBe('loop [REDACTED]');
    expect((looped.cause as Error).cause).toBeUndefined();
    expectClean('cause chain', inspect(error, { depth: 20, showHidden: true }));
  });

  it('keeps a thrown non-Error as an Error cause, redacted', async () => {
    const provider = createTokenProvider({
      tokenUrl: 'https://auth.leak.test/token',
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      retry: { maxAttempts: 1 },
      fetch: () => Promise.reject(`refused: ${SECRET}`),
    });
    const error = (await provider.getToken().catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ message: 'Token endpoint unreachable: refused: [REDACTED]' });
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe('refused: [REDACTED]');
  });

  it('keeps the useful parts of an echoed description, redacted', async () => {
    const provider = createTokenProvider({
      tokenUrl: 'https://auth.leak.test/token',
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      fetch: echo(401),
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect((error as { error_description: string }).error_description).toMatch(
      /^got Basic \[REDACTED\] and grant_type=client_credentials; your old token/,
    );
  });
});
