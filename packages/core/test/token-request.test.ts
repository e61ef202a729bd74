/**
 * One token request's choices: which client authentication (given, discovered, or `auto`'s
 * probing and memory), when a refusal moves on to the next method, when a credential is
 * read again, and when an assertion is signed again in the server's time.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { DiscoveryError } from '../src/errors.ts';
import type { TokenEvent } from '../src/events.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import type { FetchLike } from '../src/token-endpoint.ts';
import { createTokenProvider } from '../src/token-provider.ts';

const ISSUER = 'https://auth.example';
const TOKEN_URL = `${ISSUER}/token`;

interface Sent {
  method: 'basic' | 'post' | 'assertion';
  body: URLSearchParams;
}

/** A token endpoint (and its metadata) answering `answer(sent, n)` for the n-th request. */
function server(
  answer: (sent: Sent, n: number) => { status: number; body: object; headers?: object },
  metadata?: object,
) {
  const sent: Sent[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    if (url.includes('/.well-known/')) {
      return Response.json({ issuer: ISSUER, token_endpoint: TOKEN_URL, ...metadata });
    }
    const body = new URLSearchParams(String(init.body));
    const method = new Headers(init.headers).has('authorization')
      ? 'basic'
      : body.has('client_assertion')
        ? 'assertion'
        : 'post';
    sent.push({ method, body });
    const reply = answer({ method, body }, sent.length);
    return Response.json(reply.body, {
      status: reply.status,
      headers: { ...(reply.headers as Record<string, string>) },
    });
  };
  return { sent, fetch };
}

const ok = { status: 200, body: { access_token: 'issued-token', expires_in: 60 } };
const refused = { status: 401, body: { error: 'invalid_client' } };

/** Options to override, `undefined` to leave one out. */
type Overrides = { [K in keyof TokenProviderOptions]?: TokenProviderOptions[K] | undefined };

function provider(fetch: FetchLike, options: Overrides) {
  const events: TokenEvent[] = [];
  const tokens = createTokenProvider({
    tokenUrl: TOKEN_URL,
    clientId: 'client',
    clientSecret: 'secret',
    retry: { maxAttempts: 1 },
    failureCacheMs: 0,
    fetch,
    onEvent: (event: TokenEvent) => events.push(event),
    ...options,
  } as TokenProviderOptions);
  return { tokens, events };
}

describe("auto's probing", () => {
  it('moves on after a bare 401 too, but not after a 400 or a 403', async () => {
    const bare = server((s) => (s.method === 'basic' ? { status: 401, body: {} } : ok));
    await provider(bare.fetch, { clientAuth: 'auto' }).tokens.getToken();
    expect(bare.sent.map((s) => s.method)).toEqual(['basic', 'post']);
    for (const status of [400, 403]) {
      const final = server(() => ({ status, body: {} }));
      await expect(
        provider(final.fetch, { clientAuth: 'auto' }).tokens.getToken(),
      ).rejects.toMatchObject({ status });
      expect(final.sent).toHaveLength(1);
    }
  });

  it('does not move on when the token endpoint is unreachable', async () => {
    let calls = 0;
    const down = async () => {
      calls++;
      throw new TypeError('fetch failed');
    };
    await expect(provider(down, { clientAuth: 'auto' }).tokens.getToken()).rejects.toMatchObject({
      code: 'M2M_NETWORK_ERROR',
    });
    expect(calls).toBe(1);
  });

  it('tries what worked first, then each other method once, and forgets what stopped working', async () => {
    let accepts: 'basic' | 'post' | 'none' = 'post';
    const wire = server((s) => (s.method === accepts ? ok : refused));
    const { tokens } = provider(wire.fetch, { clientAuth: 'auto' });
    await tokens.forScope('a').getToken(); // basic refused, post works: remembered
    accepts = 'none';
    await expect(tokens.forScope('b').getToken()).rejects.toMatchObject({
      error: 'invalid_client',
    });
    accepts = 'basic';
    await tokens.forScope('c').getToken();
    expect(wire.sent.map((s) => `${s.body.get('scope')}:${s.method}`)).toEqual([
      'a:basic',
      'a:post',
      'b:post', // the remembered one first
      'b:basic',
      'c:basic', // post stopped working: forgotten, the usual order again
    ]);
  });
});

describe('methods from the metadata', () => {
  const discovered = (metadata: object | undefined, options: Overrides = {}) => {
    const wire = server(() => ok, metadata);
    const { tokens } = provider(wire.fetch, { tokenUrl: undefined, issuer: ISSUER, ...options });
    return { wire, tokens };
  };

  it('is Basic when the server lists none (RFC 8414), else ours first among what it lists', async () => {
    const none = discovered(undefined);
    await none.tokens.getToken();
    const post = discovered({
      token_endpoint_auth_methods_supported: ['client_secret_jwt', 'client_secret_post'],
    });
    await post.tokens.getToken();
    const jwt = discovered({ token_endpoint_auth_methods_supported: ['client_secret_jwt'] });
    await jwt.tokens.getToken();
    expect([none, post, jwt].map(({ wire }) => wire.sent[0]?.method)).toEqual([
      'basic',
      'post',
      'assertion',
    ]);
  });

  it('prefers private_key_jwt when a key is given, and says what the server lists when nothing fits', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = { ...(await exportJWK(privateKey)), kid: 'k1' };
    const listed = ['private_key_jwt', 'client_secret_basic'];
    const withKey = discovered(
      { token_endpoint_auth_methods_supported: listed },
      { clientAssertion: { privateKey: key } },
    );
    await withKey.tokens.getToken();
    expect(withKey.wire.sent[0]?.method).toBe('assertion');
    // A secret alone: not private_key_jwt, though the server lists it first.
    const secretOnly = discovered({ token_endpoint_auth_methods_supported: listed });
    await secretOnly.tokens.getToken();
    expect(secretOnly.wire.sent[0]?.method).toBe('basic');
    const unfit = discovered({
      token_endpoint_auth_methods_supported: ['tls_client_auth', 'none'],
    });
    const error = await unfit.tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toBe(
      'The server lists no client authentication this client can do (it lists: tls_client_auth, none)',
    );
    const keyOnly = discovered(
      { token_endpoint_auth_methods_supported: ['client_secret_basic'] },
      { clientSecret: undefined, clientAssertion: { privateKey: key } },
    );
    await expect(keyOnly.tokens.getToken()).rejects.toBeInstanceOf(DiscoveryError);
    expect(keyOnly.wire.sent).toHaveLength(0);
    const keyListed = discovered(
      { token_endpoint_auth_methods_supported: ['private_key_jwt'] },
      { clientSecret: undefined, clientAssertion: { privateKey: key } },
    );
    await keyListed.tokens.getToken();
    expect(keyListed.wire.sent[0]?.method).toBe('assertion');
  });
});

describe('a refused credential', () => {
  it('is read again once: a rotated secret still refused fails after two requests', async () => {
    let reads = 0;
    const wire = server(() => refused);
    const { tokens, events } = provider(wire.fetch, {
      clientSecret: () => `secret-${++reads}`,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(wire.sent).toHaveLength(2);
    expect(reads).toBe(2);
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([{ changed: true }]);
  });

  it('is not read again for an answer that refuses no credential (a 500, an unreachable server)', async () => {
    let reads = 0;
    const clientSecret = () => `secret-${++reads}`;
    const failing = server(() => ({ status: 500, body: {} }));
    const { tokens, events } = provider(failing.fetch, { clientSecret });
    await expect(tokens.getToken()).rejects.toMatchObject({ status: 500 });
    const down = provider(
      async () => {
        throw new TypeError('fetch failed');
      },
      { clientSecret, clientAuth: 'auto' },
    );
    await expect(down.tokens.getToken()).rejects.toMatchObject({ code: 'M2M_NETWORK_ERROR' });
    expect([failing.sent.length, reads]).toEqual([1, 2]); // each provider read it once, to send
    expect([...events, ...down.events].filter((e) => e.type === 'secret_reread')).toEqual([]);
  });

  it('is not read again when it cannot change (a string), nor for a method that does not use it', async () => {
    const wire = server(() => refused);
    const { tokens, events } = provider(wire.fetch, {}); // clientSecret: 'secret'
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    let assertions = 0;
    const mtls = server(() => refused);
    const other = provider(mtls.fetch, {
      clientAuth: 'tls_client_auth',
      clientSecret: undefined,
      clientAssertion: { assertion: () => `assertion-${++assertions}` },
    });
    await expect(other.tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect([wire.sent.length, mtls.sent.length]).toEqual([1, 1]);
    expect([...events, ...other.events].filter((e) => e.type === 'secret_reread')).toEqual([]);
  });

  it('reads the refused assertion again for private_key_jwt, and says which credential', async () => {
    let assertions = 0;
    const wire = server((_s, n) => (n === 1 ? refused : ok));
    const { tokens, events } = provider(wire.fetch, {
      clientAuth: 'private_key_jwt',
      clientSecret: undefined,
      clientAssertion: { assertion: () => `assertion-${++assertions}` },
    });
    await tokens.getToken();
    expect(wire.sent.map((s) => s.body.get('client_assertion'))).toEqual([
      'assertion-1',
      'assertion-2',
    ]);
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([
      { changed: true, credential: 'clientAssertion.assertion' },
    ]);
  });

  it('signs an assertion again once in the server time, only when its clock moved', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const clientAssertion = { privateKey: { ...(await exportJWK(privateKey)), kid: 'k1' } };
    const inStep = server(() => refused);
    await expect(
      provider(inStep.fetch, {
        clientAuth: 'private_key_jwt',
        clientSecret: undefined,
        clientAssertion,
      }).tokens.getToken(),
    ).rejects.toMatchObject({ error: 'invalid_client' });
    expect(inStep.sent).toHaveLength(1);
    const ahead = new Date(Date.now() + 3_600_000).toUTCString();
    const skewed = server(() => ({ ...refused, headers: { date: ahead } }));
    await expect(
      provider(skewed.fetch, {
        clientAuth: 'private_key_jwt',
        clientSecret: undefined,
        clientAssertion,
      }).tokens.getToken(),
    ).rejects.toMatchObject({ error: 'invalid_client' });
    expect(skewed.sent).toHaveLength(2); // once more in its time, not again
    // A secret is not signed: its refusal is not retried for the clock.
    const basic = server(() => ({ ...refused, headers: { date: ahead } }));
    await expect(provider(basic.fetch, {}).tokens.getToken()).rejects.toMatchObject({
      error: 'invalid_client',
    });
    expect(basic.sent).toHaveLength(1);
  });
});
