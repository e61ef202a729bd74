import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AuthServer, DISCOVERY_PATHS, startAuthServer } from '../src/index.ts';

let auth: AuthServer;
beforeAll(async () => {
  auth = await startAuthServer();
});
afterAll(() => auth.close());
beforeEach(() => {
  auth.stats.reset();
  auth.control.setDiscovery(undefined);
});

async function get(document: 'oauth' | 'openid', init: RequestInit = {}) {
  const res = await fetch(`${auth.url}${DISCOVERY_PATHS[document]}`, init);
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('discovery metadata (RFC 8414, OpenID Connect Discovery)', () => {
  it('serves both documents: issuer is the server url, token_endpoint the strict-rfc one', async () => {
    const expected = {
      issuer: auth.url,
      token_endpoint: auth.tokenUrl('strict-rfc'),
      jwks_uri: `${auth.url}/.well-known/jwks.json`,
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'client_secret_jwt',
      ],
      token_endpoint_auth_signing_alg_values_supported: [
        'RS256',
        'PS256',
        'ES256',
        'EdDSA',
        'Ed25519',
        'HS256',
        'HS384',
        'HS512',
      ],
      grant_types_supported: ['client_credentials'],
    };
    for (const document of ['oauth', 'openid'] as const) {
      const res = await get(document);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.body).toEqual(expected);
    }
    expect(auth.metadata).toEqual(expected);
    expect(DISCOVERY_PATHS).toEqual({
      oauth: '/.well-known/oauth-authorization-server',
      openid: '/.well-known/openid-configuration',
    });
  });

  it('counts discovery requests per document, apart from token requests', async () => {
    await get('oauth');
    await get('oauth');
    await get('openid');
    expect(auth.stats.discovery).toEqual({ oauth: 2, openid: 1 });
    expect(auth.stats.total).toBe(0);
    auth.stats.reset();
    expect(auth.stats.discovery).toEqual({ oauth: 0, openid: 0 });
  });

  it('overrides fields of both documents, and removes the ones set to undefined', async () => {
    auth.control.setDiscovery({
      metadata: {
        issuer: 'https://impostor.example',
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        grant_types_supported: undefined,
      },
    });
    for (const document of ['oauth', 'openid'] as const) {
      const { body } = await get(document);
      expect(body).toMatchObject({
        issuer: 'https://impostor.example',
        token_endpoint: auth.tokenUrl('strict-rfc'),
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
      expect(body).not.toHaveProperty('grant_types_supported');
    }
    // The server itself keeps its real issuer.
    expect(auth.metadata.issuer).toBe(auth.url);
  });

  it('overrides one document on top of the shared overrides', async () => {
    auth.control.setDiscovery({
      metadata: { token_endpoint_auth_methods_supported: ['client_secret_basic'] },
      openid: { issuer: `${auth.url}/other` },
    });
    expect((await get('oauth')).body).toMatchObject({
      issuer: auth.url,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    });
    expect((await get('openid')).body).toMatchObject({
      issuer: `${auth.url}/other`,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    });
  });

  it('answers a status instead of a document: 404 for one, the other still served', async () => {
    auth.control.setDiscovery({ oauth: 404 });
    const missing = await get('oauth');
    expect([missing.status, missing.body['error']]).toEqual([404, 'not_found']);
    expect((await get('openid')).status).toBe(200);
    auth.control.setDiscovery({ openid: 503 });
    expect((await get('openid')).status).toBe(503);
    expect((await get('oauth')).status).toBe(200);
    expect(auth.stats.discovery).toEqual({ oauth: 2, openid: 2 });
  });

  it('goes back to the defaults with setDiscovery(undefined)', async () => {
    auth.control.setDiscovery({ oauth: 404, metadata: { issuer: 'x' } });
    auth.control.setDiscovery(undefined);
    expect((await get('oauth')).body['issuer']).toBe(auth.url);
  });

  it('answers GET only', async () => {
    const res = await get('oauth', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(auth.stats.discovery.oauth).toBe(0);
  });
});
