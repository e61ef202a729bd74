import { type AuthServer, startAuthServer } from '@m2m-auth/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenProvider, DiscoveryError, ErrorCode } from '../src/index.ts';

// `issuer` instead of `tokenUrl`: the metadata is read once, checked, and decides the token
// endpoint and the client authentication.
describe('discovery from an issuer', () => {
  let auth: AuthServer;
  beforeAll(async () => {
    auth = await startAuthServer();
  });
  afterAll(() => auth.close());
  beforeEach(() => {
    auth.stats.reset();
    auth.control.setDiscovery(undefined);
  });

  const provider = (extra: object = {}) =>
    createTokenProvider({
      issuer: auth.url,
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      failureCacheMs: 0,
      ...extra,
    });

  it('reads the RFC 8414 document once for any number of callers, then uses its token endpoint', async () => {
    const tokens = provider();
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    expect(new Set(all.map((t) => t.accessToken)).size).toBe(1);
    await tokens.forScope('reports').getToken();
    expect(auth.stats.discovery).toEqual({ oauth: 1, openid: 0 });
    expect(auth.stats.requests.map((r) => [r.profile, r.authMethod])).toEqual([
      ['strict-rfc', 'basic'],
      ['strict-rfc', 'basic'],
    ]);
  });

  it('falls back to OpenID discovery when the RFC 8414 document is missing', async () => {
    auth.control.setDiscovery({ oauth: 404 });
    await provider().getToken();
    expect(auth.stats.discovery).toEqual({ oauth: 1, openid: 1 });
  });

  it('picks the client authentication from the methods the server lists', async () => {
    auth.control.setDiscovery({
      metadata: { token_endpoint_auth_methods_supported: ['client_secret_post'] },
    });
    await provider().getToken();
    expect(auth.stats.requests[0]?.authMethod).toBe('post');
  });

  it('refuses metadata that names another issuer (mix-up), before any token request', async () => {
    auth.control.setDiscovery({ metadata: { issuer: 'https://impostor.example' } });
    const error = await provider()
      .getToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({ code: ErrorCode.DISCOVERY });
    expect(auth.stats.total).toBe(0);
  });

  it('says so when the server lists no method this client can do', async () => {
    auth.control.setDiscovery({
      metadata: { token_endpoint_auth_methods_supported: ['private_key_jwt'] },
    });
    await expect(provider().getToken()).rejects.toThrow(/lists no client authentication/);
    expect(auth.stats.total).toBe(0);
  });

  it('a missing document is a 404 DiscoveryError; a 503 is retried and read again later', async () => {
    auth.control.setDiscovery({ oauth: 404, openid: 404 });
    await expect(provider().getToken()).rejects.toMatchObject({
      code: ErrorCode.DISCOVERY,
      status: 404,
    });

    auth.control.setDiscovery({ oauth: 503 });
    auth.stats.reset();
    const tokens = provider();
    await expect(tokens.getToken()).rejects.toMatchObject({ status: 503 });
    expect(auth.stats.discovery.oauth).toBe(2); // retried once (maxAttempts: 2)
    auth.control.setDiscovery(undefined);
    await expect(tokens.getToken()).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('refuses a plain-http token endpoint off loopback in the metadata', async () => {
    auth.control.setDiscovery({ metadata: { token_endpoint: 'http://auth.vendor.example/token' } });
    await expect(provider().getToken()).rejects.toThrow(/token_endpoint is unusable/);
  });
});
