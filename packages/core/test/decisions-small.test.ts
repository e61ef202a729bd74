/**
 * Small decisions every token request and request exchange leans on: what is retried, how a
 * Retry-After reads, what a store's failure becomes, which bodies go only once, and where
 * each client authentication puts the credentials.
 */
import { describe, expect, it } from 'vitest';
import type { ClientCredentials } from '../src/client-auth.ts';
import { applyClientAuth } from '../src/client-auth.ts';
import {
  ConfigError,
  ErrorCode,
  OAuthError,
  TokenHttpError,
  TokenNetworkError,
  TokenResponseError,
  TokenTimeoutError,
} from '../src/errors.ts';
import { isOneShotBody, isStreamed, keptBody } from '../src/resendable-body.ts';
import { defaultRetry, isRetryable, parseRetryAfter, retryDelay } from '../src/retry.ts';
import { secretSource } from '../src/secret-source.ts';
import { reviveFailure, shareFailure } from '../src/shared-failure.ts';

describe('isRetryable', () => {
  it('retries network errors, timeouts, 408, 429 and 5xx, and nothing else', () => {
    const retried = [
      new TokenNetworkError('down'),
      new TokenTimeoutError(10),
      ...[408, 429, 500, 503, 599].map((status) => new TokenHttpError(status)),
      new OAuthError({ error: 'temporarily_unavailable' }, { status: 503 }),
    ];
    for (const error of retried) expect(isRetryable(error), error.message).toBe(true);
    const final = [
      ...[400, 401, 403, 404, 499, 600].map((status) => new TokenHttpError(status)),
      new OAuthError({ error: 'invalid_client' }, { status: 401 }),
      new TokenResponseError(ErrorCode.INVALID_RESPONSE, 'html', { status: 200 }),
      Object.assign(new Error('a bug in a custom fetch'), { status: 503 }),
      'a string',
    ];
    for (const error of final) expect(isRetryable(error), String(error)).toBe(false);
  });

  it('waits a Retry-After of exactly maxDelayMs', () => {
    const asked = new TokenHttpError(429, { retryAfterMs: defaultRetry.maxDelayMs });
    expect(retryDelay(asked, 1, defaultRetry)).toBe(defaultRetry.maxDelayMs);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it('takes whole seconds of any length, and only an HTTP-date as a date', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    for (const value of ['12abc', '1.5', '2026-11-24T12:00:30Z', '2026-11-24', '']) {
      expect(parseRetryAfter(value, now), value).toBeUndefined();
    }
  });
});

describe('a failure shared through a store', () => {
  it('carries only what the error has', () => {
    expect(shareFailure(new TokenTimeoutError(10))).toStrictEqual({
      code: ErrorCode.TIMEOUT,
      message: 'Token request timed out after 10 ms',
    });
  });

  it('takes messages up to 2 000 characters, and an OAuth failure without its error member', () => {
    const at = (length: number) => ({ code: ErrorCode.NETWORK, message: 'x'.repeat(length) });
    expect(reviveFailure(at(2000))).toBeInstanceOf(TokenNetworkError);
    expect(reviveFailure(at(2001))).toBeUndefined();
    const oauth = reviveFailure({ code: ErrorCode.OAUTH, message: 'refused', status: 400 });
    expect(oauth).toBeInstanceOf(OAuthError);
    expect(oauth).toMatchObject({ error: 'unknown_error', status: 400 });
  });
});

describe('isOneShotBody', () => {
  it('knows streams by their shape, of any realm, and everything else as sendable again', () => {
    for (const body of [
      { getReader() {} },
      { pipe() {} },
      { async *[Symbol.asyncIterator]() {} },
    ]) {
      expect(isOneShotBody(body)).toBe(true);
    }
    for (const body of [undefined, null, 'text', 42, { getReader: 'no' }, new Uint8Array(1)]) {
      expect(isOneShotBody(body), String(body)).toBe(false);
    }
  });
});

describe('keptBody', () => {
  async function* fetchBody(...chunks: Array<string | Uint8Array>) {
    yield* chunks;
  }
  const drain = async (body: unknown) => {
    for await (const _ of body as AsyncIterable<unknown>);
  };

  it('keeps a streamed body as it goes: sendable again once it went whole and fitted', async () => {
    const kept = keptBody(fetchBody('{"a":', new TextEncoder().encode('1}')), true, 64);
    expect(kept.resendable()).toBe(false); // not sent yet
    await drain(kept.first);
    expect(kept.resendable()).toBe(true);
    expect(new TextDecoder().decode(kept.again() as Uint8Array)).toBe('{"a":1}');
  });

  it('gives up a body past the bound, and one that was not sent to the end', async () => {
    const long = keptBody(fetchBody('12345', '67890'), true, 8);
    await drain(long.first);
    expect(long.resendable()).toBe(false);
    const cut = keptBody(fetchBody('a', 'b'), true, 64);
    const iterator = (cut.first as AsyncGenerator<Uint8Array>)[Symbol.asyncIterator]();
    await iterator.next();
    expect(cut.resendable()).toBe(false);
  });

  it('sends any other body as it is and leaves the judgment to core, as when no replay may come', () => {
    const stream = { pipe() {} };
    for (const [body, keep] of [
      ['text', true],
      [stream, true], // a Node stream: wrapping it would change how undici sends it
      [fetchBody('x'), false],
    ] as const) {
      const kept = keptBody(body, keep, 64);
      expect(kept.first).toBe(body);
      expect(kept.again()).toBe(body);
      expect(kept.resendable()).toBeUndefined();
    }
    expect([isStreamed(fetchBody()), isStreamed(stream), isStreamed('x')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('a clientSecret', () => {
  it('given as a function: read once, re-read on demand, each new value counted and taught', async () => {
    const taught: string[] = [];
    let value = 'first-secret';
    const source = secretSource(
      () => value,
      (secret) => taught.push(secret),
    );
    expect(source.current()).toBeUndefined();
    expect(await source.load()).toBe('first-secret');
    expect(await source.load()).toBe('first-secret');
    expect(source.version).toBe(1);
    expect(await source.reread()).toBe(false); // the same value: nothing changed
    expect(source.version).toBe(1);
    value = 'rotated-secret';
    expect(await source.reread()).toBe(true);
    expect([source.current(), source.version]).toEqual(['rotated-secret', 2]);
    expect(taught).toContain('rotated-secret');
    expect(source.rotates).toBe(true);
  });

  it('a failed first read is tried again; concurrent re-reads share one read', async () => {
    let reads = 0;
    const source = secretSource(
      async () => {
        reads++;
        if (reads === 1) throw new Error('vault down');
        return `secret-${reads}`;
      },
      () => undefined,
    );
    await expect(source.load()).rejects.toThrow('vault down');
    expect(await source.load()).toBe('secret-2');
    const both = await Promise.all([source.reread(), source.reread()]);
    expect([both, reads]).toEqual([[true, true], 3]);
    expect(await source.reread()).toBe(true); // after the shared one: a read of its own
    expect(reads).toBe(4);
  });

  it('refuses an empty value by name, and a string is never re-read', async () => {
    const empty = secretSource(
      () => '',
      () => undefined,
    );
    await expect(empty.load()).rejects.toThrow(
      new ConfigError('clientSecret must be, or return, a non-empty string'),
    );
    const fixed = secretSource('static-secret', () => undefined);
    expect([await fixed.load(), await fixed.reread(), fixed.version, fixed.rotates]).toEqual([
      'static-secret',
      false,
      0,
      false,
    ]);
  });
});

describe('applyClientAuth', () => {
  const credentials = (over: Partial<ClientCredentials> = {}): ClientCredentials => ({
    clientId: 'client',
    secret: secretSource('s3cret', () => undefined),
    clientIdInBody: false,
    assertions: {},
    assertionAudience: undefined,
    ...over,
  });
  const context = {
    tokenUrl: 'https://auth.example/token',
    issuer: 'https://auth.example',
    now: 0,
  };
  async function applied(method: Parameters<typeof applyClientAuth>[0], over = {}) {
    const headers = new Headers();
    const body = new URLSearchParams();
    await applyClientAuth(method, credentials(over), context, headers, body);
    return { authorization: headers.get('authorization'), body: body.toString() };
  }

  it('sends only client_id with TLS client authentication: the certificate authenticates', async () => {
    for (const method of ['tls_client_auth', 'self_signed_tls_client_auth'] as const) {
      expect(await applied(method)).toEqual({ authorization: null, body: 'client_id=client' });
    }
  });

  it('signs an assertion for the audience asked, and says when its signer is missing', async () => {
    const audiences: string[] = [];
    const signer = {
      fingerprint: 'test',
      sign: async (claims: { aud: string }) => {
        audiences.push(claims.aud);
        return 'signed-assertion';
      },
    };
    for (const assertionAudience of ['token_endpoint', 'issuer', 'https://aud.example'] as const) {
      const { body } = await applied('private_key_jwt', {
        assertions: { private_key_jwt: signer },
        assertionAudience,
      });
      expect(new URLSearchParams(body).get('client_id')).toBe('client');
      expect(new URLSearchParams(body).get('client_assertion')).toBe('signed-assertion');
    }
    expect(audiences).toEqual([
      'https://auth.example/token',
      'https://auth.example',
      'https://aud.example',
    ]);
    await expect(applied('client_secret_jwt')).rejects.toThrow(
      new ConfigError("clientAuth 'client_secret_jwt' is not configured"),
    );
  });

  it("sends no credentials with 'none', client_id only when asked to", async () => {
    expect(await applied('none')).toEqual({ authorization: null, body: '' });
    expect(await applied('none', { clientIdInBody: true })).toEqual({
      authorization: null,
      body: 'client_id=client',
    });
    expect(await applied('none', { clientIdInBody: true, clientId: '' })).toEqual({
      authorization: null,
      body: '',
    });
  });

  it('says a secret method has no secret', async () => {
    await expect(
      applied('client_secret_post', { secret: secretSource(undefined, () => undefined) }),
    ).rejects.toThrow(new ConfigError("clientAuth 'client_secret_post' needs clientSecret"));
  });
});
