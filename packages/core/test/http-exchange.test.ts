/**
 * One HTTP exchange with the authorization server, through a provider: the size limit
 * (declared or counted), redirects refused, and transport failures as typed errors that
 * say which exchange failed.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/errors.ts';
import type { FetchLike } from '../src/token-endpoint.ts';
import { createTokenProvider } from '../src/token-provider.ts';

const TOKEN_URL = 'https://auth.example/token';

function provider(fetch: FetchLike, maxResponseBytes = 64) {
  return createTokenProvider({
    tokenUrl: TOKEN_URL,
    clientId: 'client',
    clientSecret: 'secret',
    retry: { maxAttempts: 1 },
    maxResponseBytes,
    fetch,
  });
}

/** A body delivered in `chunks`, counting how many were read. */
function chunked(chunks: string[], headers: Record<string, string> = {}) {
  const read = { chunks: 0, cancelled: false };
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[read.chunks++];
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
    cancel() {
      read.cancelled = true;
    },
  });
  const response = new Response(body, {
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { response, read };
}

const token = JSON.stringify({ access_token: 'tok-12345', expires_in: 60 });

describe('the response size limit', () => {
  it('reads a body in chunks, up to exactly maxResponseBytes', async () => {
    const exact = token.padEnd(64, ' ');
    const pieces = [exact.slice(0, 10), exact.slice(10, 30), exact.slice(30)];
    const tokens = provider(async () => chunked(pieces).response);
    await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: 'tok-12345' });
  });

  it('refuses a body that grows past it, and stops reading', async () => {
    const { response, read } = chunked([token, ' '.repeat(64), '{"more": 1}']);
    const tokens = provider(async () => response);
    await expect(tokens.getToken()).rejects.toMatchObject({
      code: ErrorCode.RESPONSE_TOO_LARGE,
      message: 'Token response is larger than 64 bytes',
      status: 200,
    });
    expect(read.cancelled).toBe(true); // the rest is never read
  });

  it('refuses a declared length past it without reading the body, with or without one', async () => {
    const { response, read } = chunked([token], { 'content-length': '65' });
    await expect(provider(async () => response).getToken()).rejects.toMatchObject({
      code: ErrorCode.RESPONSE_TOO_LARGE,
    });
    expect(read).toEqual({ chunks: 1, cancelled: true }); // only what the stream pulled ahead
    const bodiless = new Response(null, { headers: { 'content-length': '1000' } });
    await expect(provider(async () => bodiless).getToken()).rejects.toMatchObject({
      code: ErrorCode.RESPONSE_TOO_LARGE,
    });
  });

  it('reads no body as empty', async () => {
    const tokens = provider(async () => new Response(null, { status: 200 }));
    await expect(tokens.getToken()).rejects.toThrow(
      'Token response is neither JSON nor form-encoded (no content type, 0 chars)',
    );
  });
});

describe('redirects and transport failures', () => {
  it('refuses a redirect of the token request, an opaque one too', async () => {
    const moved = provider(async () => Response.redirect('https://elsewhere.example/token', 307));
    await expect(moved.getToken()).rejects.toMatchObject({
      code: ErrorCode.HTTP,
      status: 307,
      message:
        'Token endpoint answered a redirect (HTTP 307); credentials never follow one: configure the final URL',
    });
    const opaque = { type: 'opaqueredirect', status: 0, headers: new Headers(), body: null };
    const hidden = provider(async () => opaque as unknown as Response);
    await expect(hidden.getToken()).rejects.toMatchObject({ code: ErrorCode.HTTP, status: 302 });
  });

  it('names the exchange that failed: the token endpoint, or the metadata request', async () => {
    const down = provider(async () => {
      throw new Error('socket hang up');
    });
    await expect(down.getToken()).rejects.toMatchObject({
      code: ErrorCode.NETWORK,
      message: 'Token endpoint unreachable: socket hang up',
    });
    const numbered = provider(async () => {
      throw new TypeError('fetch failed', { cause: { code: 61 } });
    });
    await expect(numbered.getToken()).rejects.toThrow('Token endpoint unreachable: fetch failed');
    const discovering = (fetch: FetchLike) =>
      createTokenProvider({
        issuer: 'https://auth.example',
        clientId: 'client',
        clientSecret: 'secret',
        retry: { maxAttempts: 1 },
        fetch,
      });
    await expect(
      discovering(async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
      }).getToken(),
    ).rejects.toThrow('Metadata request unreachable: fetch failed (ENOTFOUND)');
    await expect(
      discovering(async () => Response.redirect('https://elsewhere.example/meta', 302)).getToken(),
    ).rejects.toThrow('Metadata request answered a redirect (HTTP 302)');
  });
});
