/**
 * Where a token may go in clear: loopback only, unless `allowInsecureHttp`; never to a name
 * that merely looks like loopback. And what a token URL must be.
 */
import { describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import { ConfigError } from '../src/errors.ts';
import { checkTokenUrl, isLoopback, isSecureEnough } from '../src/origins.ts';
import type { TokenProvider } from '../src/token-provider.ts';

const provider: TokenProvider = {
  scope: undefined,
  getToken: async () => ({ accessToken: 'tok-1', tokenType: 'Bearer', expiresAt: 0 }),
  invalidate: async () => false,
  forScope: () => provider,
};

describe('isLoopback', () => {
  it('knows localhost, its subdomains, 127.0.0.0/8 and [::1]', () => {
    for (const url of [
      'http://localhost:3000/',
      'http://api.localhost/',
      'http://127.0.0.1/',
      'http://127.10.200.3:8080/',
      'http://127.255.255.254/',
      'http://127.1/', // the URL parser makes it 127.0.0.1
      'http://[::1]:9/',
    ]) {
      expect(isLoopback(new URL(url))).toBe(true);
    }
  });

  it('is not fooled by names that only contain or start like loopback', () => {
    for (const url of [
      'http://127.0.0.1.nip.io/',
      'http://localhost.evil.example/',
      'http://evil-localhost/',
      'http://notlocalhost/',
      'http://128.0.0.1/',
      'http://10.0.0.7/',
      'http://[::2]/',
    ]) {
      expect(isLoopback(new URL(url)), url).toBe(false);
    }
  });
});

describe('isSecureEnough', () => {
  it('is https:, or http: on loopback or when allowed, and nothing else', () => {
    const cases: Array<[string, boolean, boolean]> = [
      ['https://api.example/', false, true],
      ['http://127.0.0.1/', false, true],
      ['http://api.example/', false, false],
      ['http://api.example/', true, true],
      ['ws://127.0.0.1/', true, false],
      ['ftp://api.example/', true, false],
      ['file:///etc/passwd', true, false],
    ];
    for (const [url, allowInsecureHttp, secure] of cases) {
      expect(isSecureEnough(new URL(url), allowInsecureHttp), url).toBe(secure);
    }
  });
});

describe('checkTokenUrl', () => {
  const refusal = (url: string, allowInsecureHttp = false, name?: string) => {
    try {
      checkTokenUrl(url, allowInsecureHttp, name);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error(`${url} was accepted`);
  };

  it('gives the normalized URL back', () => {
    expect(checkTokenUrl('HTTPS://Auth.Example:443/t?x=1', false)).toBe(
      'https://auth.example/t?x=1',
    );
    expect(checkTokenUrl('http://127.0.0.1:8080/t', false)).toBe('http://127.0.0.1:8080/t');
    expect(checkTokenUrl('http://auth.internal/t', true)).toBe('http://auth.internal/t');
  });

  it('says what is wrong, naming the option', () => {
    expect(refusal('/oauth/token')).toBe('tokenUrl is not an absolute URL');
    expect(refusal('ftp://auth.example/t', true, 'issuer')).toBe(
      'issuer must be https: (got ftp:)',
    );
    expect(refusal('http://auth.example/t')).toBe(
      'tokenUrl http://auth.example is plain http: and not loopback; use https: or set allowInsecureHttp',
    );
    expect(refusal('https://user@auth.example/t')).toBe('tokenUrl must not carry credentials');
    expect(refusal('https://:pass@auth.example/t')).toBe('tokenUrl must not carry credentials');
  });
});

describe('origins of the request policy', () => {
  it('takes the client base URL as a URL object or a string; an empty one is none', () => {
    const fromUrl = createRequestPolicy(
      provider,
      {},
      { baseUrl: new URL('https://api.example/v1') },
    );
    expect(fromUrl.serves('https://api.example/x')).toBe(true);
    expect(() => createRequestPolicy(provider, {}, { baseUrl: '' })).toThrow(
      "the adapter does not know which origins may receive the token: pass origins: ['https://api.example.com'] (or set the client's base URL); origins: '*' sends it everywhere",
    );
    // Given origins win over the base URL.
    const given = createRequestPolicy(
      provider,
      { origins: ['https://other.example'] },
      { baseUrl: 'https://api.example' },
    );
    expect([given.serves('https://other.example/'), given.serves('https://api.example/')]).toEqual([
      true,
      false,
    ]);
    expect(() => createRequestPolicy(provider, { origins: [] })).toThrow(ConfigError);
  });

  it('names the origin that is not a URL, and any plain http: one off loopback', () => {
    expect(() =>
      createRequestPolicy(provider, { origins: ['https://ok.example', 'api.example'] }),
    ).toThrow('origin api.example is not an absolute URL');
    expect(() =>
      createRequestPolicy(provider, { origins: ['https://ok.example', 'http://api.example:8080'] }),
    ).toThrow('http://api.example:8080 is plain http: and not loopback');
    const loopback = createRequestPolicy(provider, { origins: ['http://localhost:3000'] });
    expect(loopback.serves('http://localhost:3000/x')).toBe(true);
  });

  it('serves a plain http: origin off loopback only when allowed, even with origins: *', async () => {
    const open = createRequestPolicy(provider, { origins: '*', allowInsecureHttp: true });
    expect(open.serves('http://api.internal/x')).toBe(true);
    expect((await open.begin({ url: 'http://api.internal/x' }))?.headers()).toEqual({
      authorization: 'Bearer tok-1',
    });
  });

  it("with firstOrigin and nothing else to go on, serves the first request's origin and refuses any other", async () => {
    const firstOrigin = { advice: 'list both in hosts' };
    const learning = createRequestPolicy(provider, {}, { adapter: 'grpcAuth', firstOrigin });
    // The first request decides.
    expect((await learning.begin({ url: 'https://api.example/pkg.S/M' }))?.headers()).toEqual({
      authorization: 'Bearer tok-1',
    });
    expect(learning.serves('https://api.example/other')).toBe(true);
    expect(learning.serves('https://other.example/x')).toBe(false);
    const refused = learning.begin({ url: 'https://other.example/pkg.S/M' });
    // A rejected promise, not a throw, naming both hosts and the advice.
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toThrow(
      new ConfigError(
        'grpcAuth serves api.example (the first it was used for), not other.example; list both in hosts',
      ),
    );
    // The first origin stays served after the refusal; a port makes another origin.
    expect((await learning.begin({ url: 'https://api.example/pkg.S/N' }))?.headers()).toEqual({
      authorization: 'Bearer tok-1',
    });
    await expect(learning.begin({ url: 'https://api.example:8443/x' })).rejects.toThrow(
      'not api.example:8443',
    );
    // Given origins or a base URL win: firstOrigin only fills the gap.
    const given = createRequestPolicy(
      provider,
      { origins: ['https://api.example'] },
      { firstOrigin },
    );
    expect(await given.begin({ url: 'https://other.example/x' })).toBeUndefined();
    const anywhere = createRequestPolicy(provider, { origins: '*' }, { firstOrigin });
    await anywhere.begin({ url: 'https://api.example/x' });
    expect(await anywhere.begin({ url: 'https://other.example/x' })).toBeDefined();
  });
});
