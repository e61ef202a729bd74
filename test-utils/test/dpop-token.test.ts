import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthServer,
  DEFAULT_CLIENTS,
  DPOP_IAT_WINDOW_SECONDS,
  type DpopKeys,
  generateClientKeys,
  generateDpopKeys,
  JWT_BEARER,
  startAuthServer,
} from '../src/index.ts';
import { claimsFor, sign } from './assertion-helpers.ts';
import { dpopToken, proofFor, requestToken } from './dpop-helpers.ts';

let auth: AuthServer;
let keys: DpopKeys;
beforeAll(async () => {
  keys = await generateDpopKeys();
  auth = await startAuthServer();
});
afterAll(() => auth.close());
beforeEach(() => {
  auth.stats.reset();
  auth.control.requireDpopNonce(true);
  auth.control.setClockOffset(0);
});

/** A proof with the current nonce and `tweaks`, expected refused as `invalid_dpop_proof`. */
async function expectInvalid(tweaks: Parameters<typeof proofFor>[3], description: RegExp) {
  const res = await requestToken(auth, keys, {
    tweaks: { nonce: auth.control.dpopNonce(), ...tweaks },
  });
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ error: 'invalid_dpop_proof' });
  expect(String(res.body['error_description'])).toMatch(description);
  expect(res.headers.get('dpop-nonce')).toBeNull();
  return res;
}

describe('the dpop profile: token requests', () => {
  it('does the nonce dance, then issues a DPoP token bound to the proof key by cnf.jkt', async () => {
    expect(auth.tokenUrl('dpop')).toBe(`${auth.url}/dpop/token`);
    const first = await requestToken(auth, keys);
    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ error: 'use_dpop_nonce' });
    expect(first.headers.get('dpop-nonce')).toBe(auth.control.dpopNonce());
    expect(first.headers.get('cache-control')).toBe('no-store');

    const nonce = first.headers.get('dpop-nonce') ?? '';
    const second = await requestToken(auth, keys, { tweaks: { nonce } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ token_type: 'DPoP', expires_in: 3600 });
    expect(second.headers.get('dpop-nonce')).toBeNull(); // the client has the current one
    const claims = decodeJwt(String(second.body['access_token']));
    expect(claims['cnf']).toEqual({ jkt: await calculateJwkThumbprint(keys.publicJwk) });
    expect(keys.jkt).toBe(await calculateJwkThumbprint(keys.publicJwk));

    const [refused, issued] = auth.stats.requests;
    expect(refused?.dpop).toMatchObject({
      present: true,
      nonce: 'missing',
      nonceOk: false,
      outcome: 'use_dpop_nonce',
    });
    expect(issued?.dpop).toMatchObject({
      present: true,
      nonce: 'current',
      nonceOk: true,
      outcome: 'accepted',
      jkt: keys.jkt,
      header: { typ: 'dpop+jwt', alg: 'ES256', jwk: keys.publicJwk },
      claims: { htm: 'POST', htu: auth.tokenUrl('dpop'), nonce },
    });
    expect(refused?.dpop?.claims?.jti).not.toBe(issued?.dpop?.claims?.jti);
    expect(issued).toMatchObject({ profile: 'dpop', authMethod: 'basic', issued: true });
    expect(auth.stats.dpop).toEqual({ proofs: 2, accepted: 1, useDpopNonce: 1, invalidProof: 0 });
  });

  it.each(['RS256', 'PS256', 'EdDSA'] as const)('accepts a proof signed with %s', async (alg) => {
    const other = await generateDpopKeys(alg);
    const nonce = auth.control.dpopNonce();
    const res = await requestToken(auth, other, { tweaks: { nonce, alg } });
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body['access_token']))['cnf']).toEqual({ jkt: other.jkt });
  });

  it('refuses a request without a DPoP proof', async () => {
    const res = await requestToken(auth, keys, { proof: null });
    expect([res.status, res.body['error']]).toEqual([400, 'invalid_dpop_proof']);
    expect(auth.stats.requests[0]?.dpop).toMatchObject({ present: false });
    expect(auth.stats.dpop).toEqual({ proofs: 0, accepted: 0, useDpopNonce: 0, invalidProof: 1 });
  });

  it('refuses a proof that is not a JWT, or two DPoP headers', async () => {
    const res = await requestToken(auth, keys, { proof: 'not-a-jwt' });
    expect([res.status, res.body['error']]).toEqual([400, 'invalid_dpop_proof']);
    const nonce = auth.control.dpopNonce();
    const one = await proofFor(keys, 'POST', auth.tokenUrl('dpop'), { nonce });
    const two = await proofFor(keys, 'POST', auth.tokenUrl('dpop'), { nonce });
    const both = await requestToken(auth, keys, { proof: `${one}, ${two}` });
    expect(both.body['error']).toBe('invalid_dpop_proof');
  });

  it('refuses a wrong typ', async () => {
    await expectInvalid({ header: { typ: 'JWT' } }, /typ must be dpop\+jwt/);
  });

  it('refuses HS256 and alg none', async () => {
    const nonce = auth.control.dpopNonce();
    const claims = { jti: crypto.randomUUID(), htm: 'POST', htu: auth.tokenUrl('dpop'), nonce };
    const secretJwk = { kty: 'oct', k: 'c2VjcmV0' }; // a symmetric key has no public half
    const hs = await new SignJWT({ ...claims, iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: secretJwk })
      .sign(new TextEncoder().encode('secret'));
    const none = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: keys.publicJwk })),
      Buffer.from(JSON.stringify({ ...claims, iat: Math.floor(Date.now() / 1000) })),
    ]
      .map((part) => part.toString('base64url'))
      .join('.')
      .concat('.');
    for (const proof of [hs, none]) {
      const res = await requestToken(auth, keys, { proof });
      expect([res.status, res.body['error']]).toEqual([400, 'invalid_dpop_proof']);
      expect(String(res.body['error_description'])).toMatch(/alg must be an asymmetric/);
    }
  });

  it('refuses a private key in the jwk header, a missing jwk and a jwk that did not sign', async () => {
    const privateJwk = await exportJWK(keys.privateKey);
    await expectInvalid({ header: { jwk: privateJwk } }, /must be a public key/);
    await expectInvalid({ header: { jwk: undefined } }, /must carry the public jwk/);
    const other = await generateDpopKeys();
    await expectInvalid({ header: { jwk: other.publicJwk } }, /signature does not verify/);
  });

  it('refuses a wrong htm and a wrong htu, and ignores query and fragment in htu', async () => {
    await expectInvalid({ htm: 'GET' }, /htm must be POST/);
    await expectInvalid({ htu: `${auth.url}/strict/token` }, /htu must be .*\/dpop\/token/);
    await expectInvalid({ claims: { htu: undefined } }, /htu must be/);
    const nonce = auth.control.dpopNonce();
    const res = await requestToken(auth, keys, {
      tweaks: { nonce, claims: { htu: `${auth.tokenUrl('dpop')}?x=1#frag` } },
    });
    expect(res.status).toBe(200);
  });

  it('refuses an iat outside the window, by the server clock', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalid({ iat: now - DPOP_IAT_WINDOW_SECONDS - 5 }, /iat must be within 60 s/);
    await expectInvalid({ iat: now + DPOP_IAT_WINDOW_SECONDS + 5 }, /iat must be within/);
    await expectInvalid({ claims: { iat: undefined } }, /iat is required/);
    auth.control.setClockOffset(10 * 60_000);
    await expectInvalid({}, /iat must be within/);
    const ahead = await requestToken(auth, keys, {
      tweaks: { nonce: auth.control.dpopNonce(), iat: now + 600 },
    });
    expect(ahead.status).toBe(200);
  });

  it('refuses a replayed proof (same jti)', async () => {
    const proof = await proofFor(keys, 'POST', auth.tokenUrl('dpop'), {
      nonce: auth.control.dpopNonce(),
    });
    expect((await requestToken(auth, keys, { proof })).status).toBe(200);
    const replay = await requestToken(auth, keys, { proof });
    expect([replay.status, replay.body['error']]).toEqual([400, 'invalid_dpop_proof']);
    expect(replay.body['error_description']).toMatch(/jti was already used/);
    const jti = crypto.randomUUID();
    await requestToken(auth, keys, { tweaks: { jti, nonce: auth.control.dpopNonce() } });
    await expectInvalid({ jti }, /a replay/);
  });

  it('answers use_dpop_nonce for a wrong or stale nonce, with the current one', async () => {
    const wrong = await requestToken(auth, keys, { tweaks: { nonce: 'made-up' } });
    expect([wrong.status, wrong.body['error']]).toEqual([400, 'use_dpop_nonce']);
    expect(wrong.headers.get('dpop-nonce')).toBe(auth.control.dpopNonce());
    const old = auth.control.dpopNonce();
    const fresh = auth.control.rotateDpopNonce();
    expect(fresh).not.toBe(old);
    const stale = await requestToken(auth, keys, { tweaks: { nonce: old } });
    expect(stale.body['error']).toBe('use_dpop_nonce');
    expect(stale.headers.get('dpop-nonce')).toBe(fresh);
    expect(auth.stats.requests.map((r) => r.dpop?.nonce)).toEqual(['stale', 'stale']);
    expect(auth.stats.dpop.useDpopNonce).toBe(2);
  });

  it('after a graceful rotation accepts the previous nonce and announces the new one', async () => {
    const old = auth.control.dpopNonce();
    const fresh = auth.control.rotateDpopNonce({ acceptPrevious: true });
    const res = await requestToken(auth, keys, { tweaks: { nonce: old } });
    expect(res.status).toBe(200);
    expect(res.headers.get('dpop-nonce')).toBe(fresh);
    expect(auth.stats.requests[0]?.dpop).toMatchObject({ nonce: 'previous', nonceOk: true });
    auth.control.rotateDpopNonce();
    expect((await requestToken(auth, keys, { tweaks: { nonce: old } })).body['error']).toBe(
      'use_dpop_nonce',
    );
  });

  it('without a required nonce, accepts a proof without one and offers the nonce', async () => {
    auth.control.requireDpopNonce(false);
    const res = await requestToken(auth, keys);
    expect(res.status).toBe(200);
    expect(res.headers.get('dpop-nonce')).toBe(auth.control.dpopNonce());
    expect(auth.stats.requests[0]?.dpop).toMatchObject({ nonce: 'missing', nonceOk: true });
  });

  it('still authenticates the client as strict-rfc: body, assertion, wrong secret', async () => {
    const nonce = auth.control.dpopNonce();
    const body = await requestToken(auth, keys, {
      tweaks: { nonce },
      form: { client_id: 'demo-client', client_secret: 'demo-secret' },
    });
    expect([body.status, body.body['token_type']]).toEqual([200, 'DPoP']);
    const wrong = await requestToken(auth, keys, {
      tweaks: { nonce },
      form: { client_id: 'demo-client', client_secret: 'nope' },
    });
    expect([wrong.status, wrong.body['error']]).toEqual([400, 'invalid_client']);
    expect(auth.stats.requests[1]?.dpop?.outcome).toBe('accepted');
    expect(auth.stats.byAuthMethod()).toMatchObject({ post: 2 });
  });

  it('accepts private_key_jwt with the dpop token endpoint as aud', async () => {
    const clientKeys = await generateClientKeys();
    const server = await startAuthServer({
      clients: [...DEFAULT_CLIENTS, { clientId: 'svc', clientSecret: 'x', jwks: clientKeys.jwks }],
    });
    try {
      const assertion = await sign(
        claimsFor('svc', server.tokenUrl('dpop')),
        clientKeys.privateKey,
        {
          alg: 'ES256',
          kid: clientKeys.kid,
        },
      );
      const form = { client_assertion_type: JWT_BEARER, client_assertion: assertion };
      const nonce = server.control.dpopNonce();
      const res = await requestToken(server, keys, { tweaks: { nonce }, form });
      expect([res.status, res.body['token_type']]).toEqual([200, 'DPoP']);
      expect(decodeJwt(String(res.body['access_token']))).toMatchObject({ sub: 'svc' });
      expect(server.stats.requests[0]?.authMethod).toBe('private_key_jwt');
    } finally {
      await server.close();
    }
  });

  it('never echoes the proof in an answer', async () => {
    const proof = await proofFor(keys, 'GET', auth.tokenUrl('dpop'));
    const res = await requestToken(auth, keys, { proof });
    expect(JSON.stringify(res.body)).not.toContain(proof.split('.')[1]);
    expect(decodeProtectedHeader(proof).typ).toBe('dpop+jwt');
  });

  it('a full client: dance then token', async () => {
    const token = await dpopToken(auth, keys);
    expect(decodeJwt(token)['cnf']).toEqual({ jkt: keys.jkt });
  });

  it('leaves the other profiles Bearer and unbound, DPoP header or not', async () => {
    const proof = await proofFor(keys, 'POST', auth.tokenUrl('strict-rfc'));
    const res = await fetch(auth.tokenUrl('strict-rfc'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`,
        dpop: proof,
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['token_type']).toBe('Bearer');
    expect(decodeJwt(String(body['access_token']))['cnf']).toBeUndefined();
    expect(auth.stats.requests[0]?.dpop).toBeUndefined();
  });
});
