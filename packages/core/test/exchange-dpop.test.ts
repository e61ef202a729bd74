import { describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import type { Authorization } from '../src/authorization.ts';
import type { DpopProver } from '../src/dpop.ts';
import { isNonceChallenge } from '../src/dpop-authorization.ts';
import type { Exchange } from '../src/exchange.ts';
import { recordHeaders } from '../src/record-headers.ts';
import type { TokenProvider } from '../src/token-provider.ts';

/** A DPoP provider whose prover numbers its proofs and records every nonce it is told. */
function dpopProvider(tokenType: 'DPoP' | 'Bearer' = 'DPoP') {
  const seen = {
    nonces: [] as (string | null | undefined)[],
    invalidated: [] as string[],
    refused: [] as string[],
  };
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
    async invalidate(token, options) {
      if (options?.refusedAfterRefresh) {
        seen.refused.push(token);
        return false;
      }
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
    expect(exchange?.headers()).toStrictEqual({
      authorization: 'Bearer bound-token-1',
      dpop: null,
    });
    const headers: Record<string, unknown> = { DPoP: 'proof-from-an-earlier-attempt' };
    exchange?.apply(recordHeaders(headers));
    expect(headers).toEqual({ authorization: 'Bearer bound-token-1' });
  });

  it('takes a nonce challenge for the nonce its proof already carried as a bad token', async () => {
    const { provider, seen } = dpopProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const first = await policy.begin({ url: 'https://api.example/x' });
    expect(first?.answer(200, lookup({ 'dpop-nonce': 'n1' }))).toBeUndefined();
    const carrying = await policy.begin({ url: 'https://api.example/x' }); // its proof has n1
    const sameNonce = { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n1' };
    expect(await carrying?.answer(401, lookup(sameNonce))).toBe(true);
    expect(seen.invalidated).toEqual(['bound-token-1']);
    expect(carrying?.headers()?.authorization).toBe('DPoP bound-token-2');
  });

  it('takes a nonce challenge to the replay for what it is, not a refusal of the new token', async () => {
    const { provider, seen } = dpopProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const first = await policy.begin({ url: 'https://api.example/x' });
    expect(
      await first?.answer(401, lookup({ 'www-authenticate': 'DPoP error="invalid_token"' })),
    ).toBe(true);
    const replay = await policy.begin(
      { url: 'https://api.example/x', authorization: 'DPoP bound-token-1' },
      first,
    );
    const challenge = { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n5' };
    expect(replay?.answer(401, lookup(challenge))).toBeUndefined(); // its replay is spent
    expect(seen.refused).toEqual([]);
    expect(
      replay?.answer(401, lookup({ 'www-authenticate': 'DPoP error="invalid_token"' })),
    ).toBeUndefined();
    expect(seen.refused).toEqual(['bound-token-2']);
  });

  it('takes the token and the proof off a redirect to another origin, and only there', async () => {
    const { provider } = dpopProvider();
    const policy = createRequestPolicy(provider, { origins: ['https://api.example'] });
    const exchange = await policy.begin({ url: 'https://api.example/x' });
    const headers: Record<string, unknown> = {};
    exchange?.apply(recordHeaders(headers));
    exchange?.redirect('https://api.example/x', 'https://api.example/y', recordHeaders(headers));
    expect(headers).toEqual({ authorization: 'DPoP bound-token-1', dpop: 'proof-1' });
    exchange?.redirect('https://api.example/y', 'https://other.example/', recordHeaders(headers));
    expect(headers).toEqual({});
    const moved = await policy.begin({
      url: 'https://other.example/',
      authorization: 'DPoP bound-token-1',
    });
    const carried: Record<string, unknown> = { authorization: 'DPoP bound-token-1', dpop: 'p' };
    moved?.apply(recordHeaders(carried));
    expect(carried).toEqual({});
  });

  it("over a fetch-shaped transport: the replay reads its answer's nonce, a later attempt proves anew", async () => {
    const { provider, seen } = dpopProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const sent: Array<string | null | undefined> = [];
    let exchange: Exchange | undefined;
    const answers = [
      { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"' } },
      { status: 503, headers: { 'dpop-nonce': 'n7' } },
    ];
    const answer = await policy.send({ url: 'https://api.example/x' }, async (current) => {
      exchange = current;
      sent.push(current?.headers()?.dpop);
      const { status, headers } = answers[sent.length - 1] as (typeof answers)[number];
      return { status, headers: new Headers(headers), body: null };
    });
    expect([answer.status, sent, n(seen.nonces)]).toEqual([503, ['proof-1', 'proof-2'], 'n7']);
    const retry = await policy.begin(
      { url: 'https://api.example/x', authorization: 'DPoP bound-token-2' },
      exchange,
    );
    expect(retry?.headers()).toEqual({ authorization: 'DPoP bound-token-2', dpop: 'proof-3' });
  });

  it('takes any answer but a 401 to the replay as no refusal, and proves each attempt once', async () => {
    const { provider, seen } = dpopProvider();
    const policy = createRequestPolicy(provider, { origins: '*' });
    const first = await policy.begin({ url: 'https://api.example/x' });
    expect(
      await first?.answer(401, lookup({ 'www-authenticate': 'DPoP error="invalid_token"' })),
    ).toBe(true);
    const replay = await policy.begin({ url: 'https://api.example/x' }, first);
    expect(replay?.answer(200, lookup({}))).toBeUndefined();
    expect(seen.refused).toEqual([]);
    // The same first attempt linked twice (a client that reuses it): a new proof the second time.
    const again = await policy.begin({ url: 'https://api.example/x' }, first);
    expect([replay?.headers()?.dpop, again?.headers()?.dpop]).toEqual(['proof-2', 'proof-3']);
  });
});

describe('isNonceChallenge', () => {
  const sent = (dpop?: string, dpopNonce?: string): Authorization => ({
    header: 'x',
    accessToken: 'x',
    provider: dpopProvider().provider,
    ...(dpop ? { dpop } : {}),
    ...(dpopNonce ? { dpopNonce } : {}),
  });
  const asks = 'DPoP error="use_dpop_nonce"';

  it('is a 401 asking for a nonce the proof did not carry', () => {
    expect(isNonceChallenge(sent('proof'), asks, 'n1')).toBe(true);
    expect(isNonceChallenge(sent('proof', 'n0'), asks, 'n1')).toBe(true);
    expect(isNonceChallenge(sent('proof', 'n1'), asks, 'n1')).toBe(false); // carried it
    expect(isNonceChallenge(sent('proof'), asks, null)).toBe(false); // names none
    expect(isNonceChallenge(sent('proof'), 'DPoP error="invalid_token"', 'n1')).toBe(false);
    expect(isNonceChallenge(sent('proof'), null, 'n1')).toBe(false);
    expect(isNonceChallenge(sent(), asks, 'n1')).toBe(false); // no proof was sent
  });
});

const n = (nonces: (string | null | undefined)[]) => nonces.at(-1);
