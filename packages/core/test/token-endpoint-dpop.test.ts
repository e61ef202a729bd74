/**
 * A DPoP token endpoint's nonce (RFC 9449 §8): a `use_dpop_nonce` answer naming a nonce our
 * proof did not carry is answered once, with a proof that carries it; anything else is the
 * answer.
 */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenProvider } from '../src/token-provider.ts';

type Answer = { status: number; body: object; nonce?: string };

function dpopServer(answers: Answer[]) {
  const proofs: Array<string | undefined> = [];
  const accepts: Array<string | null> = [];
  const fetch = async (_url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    accepts.push(headers.get('accept'));
    const proof = headers.get('dpop');
    proofs.push(proof ? (decodeJwt(proof)['nonce'] as string | undefined) : 'no proof');
    const { status, body, nonce } = answers.shift() ?? {
      status: 200,
      body: { access_token: 'bound-token', token_type: 'DPoP', expires_in: 60 },
    };
    return Response.json(body, { status, headers: nonce ? { 'dpop-nonce': nonce } : {} });
  };
  const tokens = createTokenProvider({
    tokenUrl: 'https://auth.example/token',
    clientId: 'client',
    clientSecret: 'secret',
    dpop: true,
    retry: { maxAttempts: 1 },
    failureCacheMs: 0,
    fetch,
  });
  return { tokens, proofs, accepts };
}

const askNonce = (nonce?: string): Answer => ({
  status: 400,
  body: { error: 'use_dpop_nonce' },
  ...(nonce ? { nonce } : {}),
});

describe('the DPoP nonce of a token endpoint', () => {
  it('is answered once with a proof that carries it, and a JSON answer asked for', async () => {
    const { tokens, proofs, accepts } = dpopServer([askNonce('n1')]);
    await expect(tokens.getToken()).resolves.toMatchObject({ tokenType: 'DPoP' });
    expect(proofs).toEqual([undefined, 'n1']);
    expect(accepts).toEqual(['application/json', 'application/json']);
  });

  it('is not asked for again within one request', async () => {
    const { tokens, proofs } = dpopServer([askNonce('n1'), askNonce('n2')]);
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'use_dpop_nonce' });
    expect(proofs).toEqual([undefined, 'n1']);
  });

  it('is no reason to retry when the answer names no nonce, or the one the proof carried', async () => {
    const nameless = dpopServer([askNonce()]);
    await expect(nameless.tokens.getToken()).rejects.toMatchObject({ error: 'use_dpop_nonce' });
    expect(nameless.proofs).toHaveLength(1);
    // The nonce is learnt from a first answer; the next request's proof carries it.
    const carried = dpopServer([
      {
        status: 200,
        body: { access_token: 'first', token_type: 'DPoP', expires_in: 60 },
        nonce: 'n1',
      },
      askNonce('n1'),
    ]);
    await carried.tokens.getToken();
    await carried.tokens.invalidate('first');
    await expect(carried.tokens.getToken()).rejects.toMatchObject({ error: 'use_dpop_nonce' });
    expect(carried.proofs).toEqual([undefined, 'n1']);
  });

  it('is no reason to retry another refusal, even with a new nonce', async () => {
    const { tokens, proofs } = dpopServer([
      { status: 401, body: { error: 'invalid_client' }, nonce: 'n1' },
    ]);
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(proofs).toHaveLength(1);
  });
});
