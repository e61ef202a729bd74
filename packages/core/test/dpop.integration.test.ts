import {
  type AuthServer,
  asLogged,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import { createTokenProvider, type TokenEvent } from '../src/index.ts';

// DPoP (RFC 9449) against servers that enforce it: proofs verified, nonces required on the
// token endpoint and on the API, tokens bound to the key (cnf.jkt).
describe('DPoP', () => {
  let auth: AuthServer;
  let api: ResourceServer;
  beforeAll(async () => {
    auth = await startAuthServer();
    api = await startResourceServer({ authServer: auth });
  });
  afterAll(() => Promise.all([auth.close(), api.close()]));
  beforeEach(() => {
    auth.stats.reset();
    api.reset();
  });

  const provider = (events: TokenEvent[] = []) =>
    createTokenProvider({
      tokenUrl: auth.tokenUrl('dpop'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      dpop: true,
      onEvent: (e) => events.push(e),
    });

  it('gets a DPoP-bound token after the token endpoint nonce dance, one flight for many callers', async () => {
    const tokens = provider();
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    expect(new Set(all.map((t) => t.accessToken)).size).toBe(1);
    expect(all[0]?.tokenType).toBe('DPoP');
    // The first proof has no nonce: 400 use_dpop_nonce, then the same request with it.
    expect(auth.stats.requests.map((r) => [r.status, r.dpop?.outcome])).toEqual([
      [400, 'use_dpop_nonce'],
      [200, 'accepted'],
    ]);
    const proofs = auth.stats.requests.map((r) => r.dpop?.claims);
    expect(proofs[0]?.jti).not.toBe(proofs[1]?.jti);
    expect(proofs[1]).toMatchObject({ htm: 'POST', htu: auth.tokenUrl('dpop') });
  });

  it('the request policy sends DPoP <token> with a fresh proof per request and answers the API nonce', async () => {
    const tokens = provider();
    const policy = createRequestPolicy(tokens, { origins: [api.url] });
    const call = async (path: string, method = 'GET') => {
      const url = `${api.url}${path}`;
      const sent: string[] = [];
      const response = await policy.send({ url, method }, (exchange) => {
        const ours = exchange?.headers();
        if (!ours) throw new Error('not authorized');
        sent.push(ours.authorization);
        return fetch(url, {
          method,
          headers: { authorization: ours.authorization, dpop: ours.dpop ?? '' },
        });
      });
      return { response, sent };
    };
    const first = await call('/echo/a?x=1', 'POST');
    expect(first.response.status).toBe(200);
    expect(first.sent[0]).toMatch(/^DPoP /);
    // The first API call met the API's nonce challenge, and was replayed once with it.
    expect(api.requests.map((r) => r.dpop?.outcome)).toEqual(['use_dpop_nonce', 'accepted']);
    expect(api.requests[1]?.dpop?.claims).toMatchObject({ htm: 'POST', htu: `${api.url}/echo/a` });
    expect(first.sent[1]).toBe(first.sent[0]); // a nonce challenge keeps the token
    const second = await call('/echo/b');
    expect(second.response.status).toBe(200);
    expect(api.requests).toHaveLength(3); // the nonce is remembered: no second challenge
    expect(auth.stats.total).toBe(2); // token endpoint nonce dance only; no new token for the API's
  });

  it('answers nonce challenges under concurrency: two scopes at the token endpoint, 100 calls at the API', async () => {
    const tokens = provider();
    const scoped = await Promise.all([
      tokens.forScope('a').getToken(),
      tokens.forScope('b').getToken(),
    ]);
    expect(scoped.map((t) => t.tokenType)).toEqual(['DPoP', 'DPoP']);
    auth.stats.reset();
    const policy = createRequestPolicy(tokens, { origins: [api.url] });
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const url = `${api.url}/echo/${i}`;
        const response = await policy.send({ url }, (exchange) =>
          fetch(url, {
            headers: {
              authorization: exchange?.headers()?.authorization ?? '',
              dpop: exchange?.headers()?.dpop ?? '',
            },
          }),
        );
        return response.status;
      }),
    );
    expect(statuses).toEqual(Array(100).fill(200));
    expect(auth.stats.total).toBe(1); // one token for the default scope; no challenge cost a token
  });

  it('a revoked DPoP token is replaced once, with a proof for the new token', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    const policy = createRequestPolicy(tokens, { origins: [api.url] });
    auth.control.revokeAll();
    const exchange = await policy.begin({ url: `${api.url}/echo` });
    const headers = { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': null };
    expect(await exchange?.answer(401, (name) => headers[name])).toBe(true);
    expect(exchange?.headers()?.authorization).toBe(
      `DPoP ${(await tokens.getToken()).accessToken}`,
    );
    expect(exchange?.headers()?.authorization).not.toBe(`DPoP ${first.accessToken}`);
    expect(exchange?.headers()?.dpop).toBeDefined();
  });

  it('keys tokens by the DPoP key: two providers never share one', async () => {
    const events: TokenEvent[] = [];
    await provider(events).getToken();
    await provider(events).getToken();
    const keys = events.filter((e) => e.type === 'token_fetched').map((e) => e.key);
    expect(new Set(keys).size).toBe(2);
    expect(asLogged(events)).not.toContain('demo-secret');
  });

  it('refuses a DPoP token_type when the provider did not ask for one', async () => {
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      fetch: async () =>
        Response.json({ access_token: 'bound-token', token_type: 'DPoP', expires_in: 60 }),
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ code: 'M2M_UNSUPPORTED_TOKEN_TYPE' });
  });
});
