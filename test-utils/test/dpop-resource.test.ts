import { createTokenProvider } from '@m2m-auth/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthServer,
  accessTokenHash,
  type DpopKeys,
  generateDpopKeys,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '../src/index.ts';
import { callApi, dpopToken } from './dpop-helpers.ts';

let auth: AuthServer;
let api: ResourceServer;
let keys: DpopKeys;
let token: string;
beforeAll(async () => {
  keys = await generateDpopKeys();
  auth = await startAuthServer();
  api = await startResourceServer({ authServer: auth });
  token = await dpopToken(auth, keys);
});
afterAll(() => Promise.all([auth.close(), api.close()]));
beforeEach(() => {
  api.reset();
  api.requireDpopNonce(true);
});

const CHALLENGE =
  /^DPoP error="(\w+)", error_description="[^"]*", algs="ES256 RS256 PS256 EdDSA Ed25519"$/;

/** A DPoP call with the API's current nonce and `tweaks`. */
const dpopCall = (path: string, tweaks = {}, method = 'GET') =>
  callApi(api, path, token, { keys, method, tweaks: { nonce: api.dpopNonce(), ...tweaks } });

function expectRefused(res: Awaited<ReturnType<typeof callApi>>, error: string) {
  expect(res.status).toBe(401);
  expect(res.body['error']).toBe(error);
  expect(res.headers.get('www-authenticate')).toMatch(CHALLENGE);
  expect(CHALLENGE.exec(res.headers.get('www-authenticate') ?? '')?.[1]).toBe(error);
}

describe('startResourceServer with DPoP-bound tokens', () => {
  it('does the nonce dance, then serves a DPoP call', async () => {
    const first = await callApi(api, '/echo/dpop', token, { keys });
    expectRefused(first, 'use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBe(api.dpopNonce());
    expect(nonce).not.toBe(auth.control.dpopNonce()); // the API has its own nonce

    const second = await callApi(api, '/echo/dpop?x=1', token, {
      keys,
      method: 'POST',
      tweaks: { nonce: nonce ?? '' },
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ method: 'POST', path: '/echo/dpop', sub: 'demo-client' });
    expect(second.headers.get('dpop-nonce')).toBeNull();

    const [refused, served] = api.requests;
    expect(refused?.dpop).toMatchObject({ nonce: 'missing', outcome: 'use_dpop_nonce' });
    expect(served?.dpop).toMatchObject({
      present: true,
      outcome: 'accepted',
      nonceOk: true,
      jkt: keys.jkt,
      header: { typ: 'dpop+jwt', jwk: keys.publicJwk },
      claims: { htm: 'POST', htu: `${api.url}/echo/dpop`, ath: accessTokenHash(token), nonce },
    });
    expect(served?.authorization).toBe(`DPoP ${token}`);
    expect(api.counters.dpop).toEqual({ proofs: 2, accepted: 1, useDpopNonce: 1, invalidProof: 0 });
    expect(api.counters.unauthorized).toBe(1);
  });

  it('refuses a bound token under the Bearer scheme, with or without a proof', async () => {
    expectRefused(await callApi(api, '/echo', token), 'invalid_token');
    expectRefused(
      await callApi(api, '/echo', token, {
        keys,
        scheme: 'Bearer',
        tweaks: { nonce: api.dpopNonce() },
      }),
      'invalid_token',
    );
    expect(api.requests.map((r) => r.dpop?.present)).toEqual([false, true]);
  });

  it('refuses a wrong ath, and a proof without one', async () => {
    expectRefused(
      await dpopCall('/echo', { claims: { ath: accessTokenHash('other') } }),
      'invalid_dpop_proof',
    );
    const missing = await dpopCall('/echo', { claims: { ath: undefined } });
    expectRefused(missing, 'invalid_dpop_proof');
    expect(missing.body['error_description']).toMatch(/ath must be/);
  });

  it('refuses a proof signed by another key than cnf.jkt', async () => {
    const other = await generateDpopKeys();
    const res = await callApi(api, '/echo', token, {
      keys: other,
      tweaks: { nonce: api.dpopNonce() },
    });
    expectRefused(res, 'invalid_dpop_proof');
    expect(res.body['error_description']).toMatch(/cnf\.jkt/);
    expect(api.requests[0]?.dpop?.jkt).toBe(other.jkt);
  });

  it('refuses a wrong htm, htu, iat and a replayed jti', async () => {
    expectRefused(await dpopCall('/echo', { htm: 'POST' }), 'invalid_dpop_proof');
    expectRefused(await dpopCall('/echo', { htu: `${api.url}/other` }), 'invalid_dpop_proof');
    expectRefused(await dpopCall('/echo', { htu: `${auth.url}/echo` }), 'invalid_dpop_proof');
    const old = Math.floor(Date.now() / 1000) - 120;
    expectRefused(await dpopCall('/echo', { iat: old }), 'invalid_dpop_proof');
    const jti = crypto.randomUUID();
    expect((await dpopCall('/echo', { jti })).status).toBe(200);
    const replay = await dpopCall('/echo', { jti });
    expectRefused(replay, 'invalid_dpop_proof');
    expect(replay.body['error_description']).toMatch(/replay/);
    expect(api.counters.dpop.invalidProof).toBe(5);
  });

  it('refuses a DPoP call without a proof, and an unknown token under DPoP', async () => {
    const res = await fetch(`${api.url}/echo`, { headers: { authorization: `DPoP ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    expectRefused(await callApi(api, '/echo', 'not-a-jwt', { keys }), 'invalid_token');
  });

  it('rotates its nonce: stale -> use_dpop_nonce; graceful -> old accepted, new announced', async () => {
    const old = api.dpopNonce();
    const fresh = api.rotateDpopNonce();
    const stale = await dpopCall('/echo', { nonce: old });
    expectRefused(stale, 'use_dpop_nonce');
    expect(stale.headers.get('dpop-nonce')).toBe(fresh);
    const next = api.rotateDpopNonce({ acceptPrevious: true });
    const graceful = await dpopCall('/echo', { nonce: fresh });
    expect(graceful.status).toBe(200);
    expect(graceful.headers.get('dpop-nonce')).toBe(next);
    expect(api.counters.dpop.useDpopNonce).toBe(1);
  });

  it('without a required nonce serves a proof without one and offers the nonce', async () => {
    api.requireDpopNonce(false);
    const res = await callApi(api, '/echo', token, { keys });
    expect(res.status).toBe(200);
    expect(res.headers.get('dpop-nonce')).toBe(api.dpopNonce());
  });

  it('keeps scopes and revocation for bound tokens', async () => {
    expect((await dpopCall('/forbidden')).status).toBe(403);
    const other = await dpopToken(auth, keys);
    auth.control.revoke(other);
    const revoked = await callApi(api, '/echo', other, {
      keys,
      tweaks: { nonce: api.dpopNonce() },
    });
    expectRefused(revoked, 'invalid_token');
  });

  it('serves unbound tokens under Bearer as before, and refuses them under DPoP', async () => {
    const { accessToken } = await createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    }).getToken();
    const res = await callApi(api, '/echo', accessToken);
    expect(res.status).toBe(200);
    expect(api.requests[0]?.dpop).toBeUndefined();
    const asDpop = await callApi(api, '/echo', accessToken, {
      keys,
      tweaks: { nonce: api.dpopNonce() },
    });
    expectRefused(asDpop, 'invalid_token');
    expect(asDpop.body['error_description']).toMatch(/not DPoP-bound/);
  });
});
