/**
 * What a hostile or broken token endpoint can put in our errors: the secret in forms it was
 * never sent in, control characters that forge log lines or drive a terminal, and a
 * script URI for a dashboard to render.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isOAuthError } from '../src/errors.ts';
import type { FetchLike } from '../src/token-endpoint.ts';
import { createTokenProvider } from '../src/token-provider.ts';

const SECRET = 'p@ss w/rd+é';

function refusing(body: Record<string, unknown>): FetchLike {
  return async () =>
    new Response(JSON.stringify(body), {
      status: 400,
      headers: { 'content-type': 'application/json' },
    });
}

async function refusal(body: Record<string, unknown>) {
  const tokens = createTokenProvider({
    tokenUrl: 'https://auth.example/token',
    clientId: 'client',
    clientSecret: SECRET,
    retry: { maxAttempts: 1 },
    fetch: refusing(body),
  });
  const error = await tokens.getToken().catch((e: unknown) => e);
  if (!isOAuthError(error)) throw new Error(`expected an OAuthError, got ${String(error)}`);
  return error;
}

const bytes = new TextEncoder().encode(SECRET);
const echoes = {
  'percent-encoded in lower case': encodeURIComponent(SECRET).toLowerCase(),
  'percent-encoded in upper case': encodeURIComponent(SECRET),
  'alone in Base64': btoa(String.fromCharCode(...bytes)),
  'alone in base64url': btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, ''),
  'its UTF-8 read as Latin-1': String.fromCharCode(...bytes),
};

describe('text a token endpoint sends back', () => {
  it.each(Object.entries(echoes))('never shows the secret %s', async (_form, echoed) => {
    const error = await refusal({ error: 'invalid_client', error_description: `got ${echoed}` });
    for (const shown of [
      error.message,
      error.error_description,
      inspect(error),
      JSON.stringify(error),
    ]) {
      expect(shown).not.toContain(echoed);
      expect(shown).toContain('[REDACTED]');
    }
  });

  it('escapes control characters: no forged log line, no terminal escape', async () => {
    const error = await refusal({
      error: 'invalid_client\u001b[2J',
      error_description: 'bad\r\n2026-12-03 INFO all good\u001b]0;pwned\u0007\u0085\u007f',
    });
    for (const shown of [error.message, error.error, error.error_description ?? '']) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them
      expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    expect(error.error_description).toBe(
      'bad\\x0d\\x0a2026-12-03 INFO all good\\x1b]0;pwned\\x07\\x85\\x7f',
    );
  });

  it('keeps an error_uri only when it is an https: or http: URL', async () => {
    const scripted = await refusal({ error: 'invalid_client', error_uri: 'javascript:alert(1)' });
    expect(scripted.error_uri).toBeUndefined();
    const data = await refusal({ error: 'invalid_client', error_uri: 'data:text/html,<script>' });
    expect(data.error_uri).toBeUndefined();
    const docs = await refusal({ error: 'invalid_client', error_uri: 'https://docs.example/e' });
    expect(docs.error_uri).toBe('https://docs.example/e');
  });
});
