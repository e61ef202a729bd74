import { describe, expect, it } from 'vitest';
import { createTokenProvider } from '../src/index.ts';
import { asOwnRequest, isOwnRequest } from '../src/own-requests.ts';

describe('own requests', () => {
  it("counts a URL as core's own while its request is out, by origin, path and query", async () => {
    let release: () => void = () => undefined;
    const held = asOwnRequest(
      'https://Auth.example:443/token?x=1#frag',
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    const again = asOwnRequest('https://auth.example/token?x=1', async () => 'second');
    expect(isOwnRequest('https://auth.example/token?x=1')).toBe(true);
    expect(isOwnRequest(new URL('https://auth.example/token?x=1'))).toBe(true);
    expect(isOwnRequest('https://auth.example/token')).toBe(false);
    expect(isOwnRequest('https://api.example/token?x=1')).toBe(false);
    expect(await again).toBe('second');
    expect(isOwnRequest('https://auth.example/token?x=1')).toBe(true); // the first is still out
    release();
    await held;
    expect(isOwnRequest('https://auth.example/token?x=1')).toBe(false);
  });

  it('sends a request to a URL it cannot read, without counting it', async () => {
    const seen = await asOwnRequest('not a url', async () => [
      isOwnRequest('not a url'),
      isOwnRequest('another non-URL'),
    ]);
    expect(seen).toEqual([false, false]);
  });

  it('a failed request stops counting too', async () => {
    await expect(
      asOwnRequest('https://auth.example/t', async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(isOwnRequest('https://auth.example/t')).toBe(false);
  });

  it("the provider's token requests are its own while they are out", async () => {
    const seen: boolean[] = [];
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.example/oauth/token',
      clientId: 'id',
      clientSecret: 'secret',
      fetch: async (url) => {
        seen.push(isOwnRequest(url));
        return Response.json({
          access_token: 'a'.repeat(20),
          token_type: 'Bearer',
          expires_in: 60,
        });
      },
    });
    await tokens.getToken();
    expect(seen).toEqual([true]);
    expect(isOwnRequest('https://auth.example/oauth/token')).toBe(false);
  });
});
