// The DPoP examples of test-utils/README.md (token endpoint, then resource server), verbatim.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  accessTokenHash,
  createDpopProof,
  generateDpopKeys,
  startAuthServer,
  startResourceServer,
} from '../src/index.ts';

let auth: Awaited<ReturnType<typeof startAuthServer>>;
let api: Awaited<ReturnType<typeof startResourceServer>>;
beforeAll(async () => {
  auth = await startAuthServer();
  api = await startResourceServer({ authServer: auth });
});
afterAll(() => Promise.all([auth.close(), api.close()]));

it('does the DPoP nonce dance with both servers', async () => {
  const keys = await generateDpopKeys();
  const tokenRequest = async (nonce?: string) =>
    fetch(auth.tokenUrl('dpop'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${btoa('demo-client:demo-secret')}`,
        dpop: await createDpopProof({ ...keys, htm: 'POST', htu: auth.tokenUrl('dpop'), nonce }),
      },
      body: 'grant_type=client_credentials',
    });
  const first = await tokenRequest(); // 400 {"error":"use_dpop_nonce"}, DPoP-Nonce: <nonce>
  const second = await tokenRequest(first.headers.get('dpop-nonce') ?? undefined);
  const { access_token, token_type } = await second.json(); // token_type 'DPoP', cnf.jkt = keys.jkt
  expect(auth.stats.dpop).toEqual({ proofs: 2, accepted: 1, useDpopNonce: 1, invalidProof: 0 });
  expect(auth.stats.requests[1]?.dpop).toMatchObject({
    outcome: 'accepted',
    nonce: 'current',
    jkt: keys.jkt,
    claims: { htm: 'POST' },
  });
  expect(token_type).toBe('DPoP');

  const call = async (nonce?: string) =>
    fetch(`${api.url}/echo`, {
      headers: {
        authorization: `DPoP ${access_token}`,
        dpop: await createDpopProof({
          ...keys,
          htm: 'GET',
          htu: `${api.url}/echo`,
          nonce,
          accessToken: access_token,
        }),
      },
    });
  const refused = await call(); // 401, WWW-Authenticate: DPoP error="use_dpop_nonce", ...
  const ok = await call(refused.headers.get('dpop-nonce') ?? undefined); // 200
  expect(api.counters.dpop).toEqual({ proofs: 2, accepted: 1, useDpopNonce: 1, invalidProof: 0 });
  expect(api.requests[1]?.dpop?.claims).toMatchObject({ ath: accessTokenHash(access_token) });
  expect([refused.status, ok.status]).toEqual([401, 200]);
});
