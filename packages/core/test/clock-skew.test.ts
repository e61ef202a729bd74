import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenProvider, type TokenEvent } from '../src/index.ts';

// A JWT access token with `exp` and no `iat` or `expires_in` is the one case where the token's
// lifetime depends on the clocks agreeing. The server's `Date` header tells us how far off we are.
const HOUR_S = 3600;

async function serverAnswer(offsetMs: number) {
  const serverNow = Date.now() + offsetMs;
  const accessToken = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(serverNow / 1000) + HOUR_S)
    .sign(new TextEncoder().encode('k'.repeat(32)));
  return new Response(JSON.stringify({ access_token: accessToken, token_type: 'Bearer' }), {
    headers: { 'content-type': 'application/json', date: new Date(serverNow).toUTCString() },
  });
}

function provider(offsetMs: number, events: TokenEvent[]) {
  return createTokenProvider({
    tokenUrl: 'https://auth.vendor.example/oauth2/token',
    clientId: 'svc',
    clientSecret: 'svc-secret',
    fetch: () => serverAnswer(offsetMs),
    onEvent: (event) => events.push(event),
  });
}

describe('clock skew', () => {
  it('reads a JWT exp in the server time when its Date shows our clock 10 minutes behind', async () => {
    const events: TokenEvent[] = [];
    const token = await provider(10 * 60_000, events).getToken();
    // One hour from now in real terms, not one hour and ten minutes.
    expect(Math.abs(token.expiresAt - (Date.now() + HOUR_S * 1000))).toBeLessThan(5000);
    const skew = events.find((e) => e.type === 'clock_skew');
    expect(skew && 'offsetMs' in skew && Math.round(skew.offsetMs / 1000)).toBeCloseTo(600, -1);
  });

  it('ignores a difference within clockToleranceMs, and says nothing', async () => {
    const events: TokenEvent[] = [];
    const token = await provider(2000, events).getToken();
    expect(Math.abs(token.expiresAt - (Date.now() + HOUR_S * 1000 + 2000))).toBeLessThan(3000);
    expect(events.some((e) => e.type === 'clock_skew')).toBe(false);
  });
});
