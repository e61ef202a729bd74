import { describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import type { DpopProver } from '../src/dpop.ts';
import { recordHeaders } from '../src/record-headers.ts';
import type { TokenProvider } from '../src/token-provider.ts';

/** A DPoP provider whose prover numbers its proofs and records every nonce it is told. */
function dpopProvider(tokenType: 'DPoP' | 'Bearer' = 'DPoP') {
  const seen = { nonces: [] as (string | null | undefined)[], invalidated: [] as string[] };
  let nonce: string | undefined;
  let proofs = 0;
  let current = 1;
  const dpop: DpopProver = {
    thumbprint: async () => 'thumbprint',
    async proof() {
      proofs++;
      return { proof: `proof-${proofs}`, nonce };
    },
    rememberNonce(_url, next) {
      seen.nonces.push(next);
      if (!next || next === nonce) return false;
      nonce = next;
      return true;
    },
  };
  const provider: TokenProvider = {
    scope: undefined,
    dpop,
    getToken: async () => ({
      accessToken: `bound-token-${current}`,
      tokenType,
      expiresAt: Date.now() + 60_000,
    }),
    async invalidate(token) {
      seen.invalidated.push(token);
      if (token === `bound-token-${current}`) current++;
      return true;
    },
    forScope: () => provider,
  };
  return { provider, seen };
}

const lookup =
  (headers: Record<string, string>) =>
  (name: string): string | null =>
    headers[name] ?? null;

describe('the exchange with DPoP-bound tokens', () => {
  it('reads the nonce of every answer, the replay included, and proves each attempt anew', async () => {
    const { provider, seen } = dpopProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const url = 'https://api.example/things';
    const first = await policy.begin({ url, method: 'POST' });
    expect([first?.headers()?.authorization, first?.headers()?.dpop]).toEqual([
      'DPoP bound-token-1',
      'proof-1',
    ]);
    expect(first?.answer(200, lookup({ 'dpop-nonce': 'n1' }))).toBeUndefined();
    // A retry layer's next attempt: the same token, a new proof (a proof is single-use).
    const retry = await policy.begin(
      { url, method: 'POST', authorization: first?.headers()?.authorization },
      first,
    );
    expect([retry?.headers()?.authorization, retry?.headers()?.dpop]).toEqual([
      'DPoP bound-token-1',
      'proof-2',
    ]);
    // A bad token (not a nonce challenge): invalidated, replayed with a new token and proof.
    const bad = { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': 'n2' };
    expect(await retry?.answer(401, lookup(bad))).toBe(true);
    expect(seen.invalidated).toEqual(['bound-token-1']);
    expect([retry?.headers()?.authorization, retry?.headers()?.dpop]).toEqual([
      'DPoP bound-token-2',
      'proof-3',
    ]);
    // The replay's own answer still brings news: its nonce is kept.
    expect(retry?.answer(200, lookup({ 'dpop-nonce': 'n3' }))).toBeUndefined();
    expect(seen.nonces).toEqual(['n1', 'n2', 'n3']);
  });

  it('answers a nonce challenge with the same token and a new proof, nothing invalidated', async () => {
    const { provider, seen } = dpopProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const exchange = await policy.begin({ url: 'https://api.example/x' });
    const challenge = { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n9' };
    expect(await exchange?.answer(401, lookup(challenge))).toBe(true);
    expect([exchange?.headers()?.authorization, exchange?.headers()?.dpop]).toEqual([
      'DPoP bound-token-1',
      'proof-2',
    ]);
    expect(seen.invalidated).toEqual([]);
  });

  it('drops a stale proof header when a DPoP provider gets a Bearer token', async () => {
    const { provider } = dpopProvider('Bearer');
    const policy = createRequestPolicy(provider, { origins: '*' });
    const exchange = await policy.begin({ url: 'https://api.example/x' });
    const headers: Record<string, unknown> = { DPoP: 'proof-from-an-earlier-attempt' };
    exchange?.apply(recordHeaders(headers));
    expect(headers).toEqual({ authorization: 'Bearer bound-token-1' });
  });
});
