import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestServers } from '../src/conformance/index.ts';
import {
  type AuthServer,
  type ClientKeys,
  DEFAULT_CLIENTS,
  generateClientKeys,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '../src/index.ts';
import { claimsFor, postAssertion, sign } from './assertion-helpers.ts';

const TEN_MINUTES = 10 * 60_000;
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const basic = `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`;

let auth: AuthServer;
let api: ResourceServer;
let keys: ClientKeys;
beforeAll(async () => {
  keys = await generateClientKeys('ES256');
  auth = await startAuthServer({
    clients: [...DEFAULT_CLIENTS, { clientId: 'es-client', clientSecret: 'x', jwks: keys.jwks }],
  });
  api = await startResourceServer({ authServer: auth });
});
afterAll(() => Promise.all([auth.close(), api.close()]));
beforeEach(() => {
  auth.control.setClockOffset(0);
  auth.control.resetLifetimes();
  auth.control.clearFaults();
});

async function tokenRequest(headers: Record<string, string> = { authorization: basic }) {
  const res = await fetch(auth.tokenUrl('strict-rfc'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, date: res.headers.get('date') ?? '', body };
}

const callApi = (token: unknown) =>
  fetch(`${api.url}/echo`, { headers: { authorization: `Bearer ${String(token)}` } }).then(
    (res) => res.status,
  );

describe('control.setClockOffset', () => {
  it('dates every token endpoint answer by the server clock, as an IMF-fixdate', async () => {
    auth.control.setClockOffset(TEN_MINUTES);
    expect(auth.now() - Date.now()).toBeGreaterThanOrEqual(TEN_MINUTES - 5);
    const ok = await tokenRequest();
    expect(ok.status).toBe(200);
    expect(ok.date).toMatch(IMF_FIXDATE);
    expect(Math.abs(Date.parse(ok.date) - (Date.now() + TEN_MINUTES))).toBeLessThan(2_000);
    const refused = await tokenRequest({});
    expect(refused.status).toBe(401);
    expect(Math.abs(Date.parse(refused.date) - (Date.now() + TEN_MINUTES))).toBeLessThan(2_000);
    auth.control.inject({ type: 'status', status: 503 });
    const fault = await tokenRequest();
    expect(fault.status).toBe(503);
    expect(Math.abs(Date.parse(fault.date) - (Date.now() + TEN_MINUTES))).toBeLessThan(2_000);
    auth.control.setClockOffset(-TEN_MINUTES);
    const behind = await tokenRequest();
    expect(Math.abs(Date.parse(behind.date) - (Date.now() - TEN_MINUTES))).toBeLessThan(2_000);
  });

  it("shifts the issued token's iat and exp", async () => {
    auth.control.setClockOffset(TEN_MINUTES);
    const { body, date } = await tokenRequest();
    const claims = decodeJwt(String(body['access_token']));
    const iat = claims.iat ?? 0;
    expect(Math.abs(iat * 1000 - (Date.now() + TEN_MINUTES))).toBeLessThan(2_000);
    // The Date header is written just after signing: the same second, or the next.
    expect(Date.parse(date) / 1000 - iat).toBeGreaterThanOrEqual(0);
    expect(Date.parse(date) / 1000 - iat).toBeLessThanOrEqual(1);
    expect((claims.exp ?? 0) - iat).toBeGreaterThanOrEqual(3600);
    expect((claims.exp ?? 0) - iat).toBeLessThanOrEqual(3601);
  });

  it('makes the resource server judge expiry by the same clock', async () => {
    auth.control.setLifetime(60);
    auth.control.setClockOffset(TEN_MINUTES);
    const { body } = await tokenRequest();
    // Issued 10 minutes "ahead": valid for its lifetime on the server's clock.
    expect(await callApi(body['access_token'])).toBe(200);
    auth.control.setClockOffset(TEN_MINUTES + 30_000);
    expect(await callApi(body['access_token'])).toBe(200);
    // 61 s later on the server clock (no real waiting): expired.
    auth.control.setClockOffset(TEN_MINUTES + 61_000);
    expect(await callApi(body['access_token'])).toBe(401);
    expect(await auth.verify(String(body['access_token']))).toBeUndefined();
  });

  it('judges a token issued at the real time as expired once the server clock passes its exp', async () => {
    auth.control.setLifetime(60);
    const { body } = await tokenRequest();
    expect(await callApi(body['access_token'])).toBe(200);
    auth.control.setClockOffset(61_000);
    expect(await callApi(body['access_token'])).toBe(401);
    auth.control.setClockOffset(0);
    expect(await callApi(body['access_token'])).toBe(200);
  });

  it('checks client assertions against the server clock', async () => {
    const url = auth.tokenUrl('strict-rfc');
    const assertion = () =>
      sign(claimsFor('es-client', url), keys.privateKey, { alg: 'ES256', kid: keys.kid });
    // The client's 60 s assertion is already expired for a server 10 minutes ahead ...
    auth.control.setClockOffset(TEN_MINUTES);
    const ahead = await postAssertion(url, await assertion());
    expect([ahead.status, ahead.body['error_description']]).toEqual([
      401,
      'client assertion refused: expired (exp is in the past)',
    ]);
    // ... issued in the future for a server 10 minutes behind ...
    auth.control.setClockOffset(-TEN_MINUTES);
    const behind = await postAssertion(url, await assertion());
    expect([behind.status, behind.body['error_description']]).toEqual([
      401,
      'client assertion refused: iat is in the future',
    ]);
    // ... and fine within the 30 s leeway.
    auth.control.setClockOffset(-25_000);
    expect((await postAssertion(url, await assertion())).status).toBe(200);
    auth.control.setClockOffset(85_000);
    expect((await postAssertion(url, await assertion())).status).toBe(200);
  });

  it('rejects an offset that is not a finite number', () => {
    expect(() => auth.control.setClockOffset(Number.NaN)).toThrow(TypeError);
  });
});

describe('useTestServers resets the clock offset before each test', () => {
  const servers = useTestServers();
  it('lets a test move the clock', () => {
    servers.auth.control.setClockOffset(TEN_MINUTES);
    servers.auth.control.setDiscovery({ oauth: 404 });
    expect(servers.auth.now() - Date.now()).toBeGreaterThan(TEN_MINUTES - 1_000);
  });
  it('finds it back at the real time (and discovery back to the defaults) in the next test', async () => {
    expect(Math.abs(servers.auth.now() - Date.now())).toBeLessThan(1_000);
    const res = await fetch(`${servers.auth.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
  });
});
