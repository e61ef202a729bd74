import type { AuthHeaders, HeaderTarget } from '@m2m-auth/core/adapter';
import { describe, expect, it } from 'vitest';
import { authorizationOf, withAuthorization } from '../src/headers-init.ts';

/** An exchange's two faces, for fixed headers (core's own rule: a proof, or null to drop one). */
const exchangeOf = (auth: AuthHeaders) => ({
  headers: () => auth,
  apply(target: HeaderTarget) {
    target.set('authorization', auth.authorization);
    if (auth.dpop) target.set('dpop', auth.dpop);
    else if (auth.dpop === null) target.delete('dpop');
  },
});

describe('headers in the form the caller used', () => {
  it('finds Authorization in any case and any HeadersInit form', () => {
    expect(authorizationOf(undefined)).toBeUndefined();
    expect(authorizationOf({ 'X-Trace': '1' })).toBeUndefined();
    expect(authorizationOf({ AUTHORIZATION: 'Bearer x' })).toBe('Bearer x');
    expect(authorizationOf([['Authorization', 'Bearer x']])).toBe('Bearer x');
    expect(authorizationOf(new Headers({ authorization: 'Bearer x' }))).toBe('Bearer x');
  });

  it('sets Authorization, keeps every other header, and never mutates the input', () => {
    const record = { 'X-Trace': '1', Authorization: 'old' };
    expect(withAuthorization(record, exchangeOf({ authorization: 'Bearer new' }))).toEqual({
      'X-Trace': '1',
      authorization: 'Bearer new',
    });
    expect(record).toEqual({ 'X-Trace': '1', Authorization: 'old' });

    const pairs: [string, string][] = [
      ['x-trace', '1'],
      ['authorization', 'old'],
    ];
    expect([
      ...(withAuthorization(pairs, exchangeOf({ authorization: 'Bearer new' })) as Headers),
    ]).toEqual([
      ['authorization', 'Bearer new'],
      ['x-trace', '1'],
    ]);
    expect(pairs).toHaveLength(2);

    const headers = new Headers({ 'x-trace': '1' });
    const set = withAuthorization(headers, exchangeOf({ authorization: 'Bearer new' })) as Headers;
    expect([...set]).toEqual([
      ['authorization', 'Bearer new'],
      ['x-trace', '1'],
    ]);
    expect(headers.has('authorization')).toBe(false);

    expect(withAuthorization(undefined, exchangeOf({ authorization: 'Bearer new' }))).toEqual({
      authorization: 'Bearer new',
    });
  });

  it('sets the DPoP proof with a DPoP-bound token, replacing a stale one in any form', () => {
    const auth = { authorization: 'DPoP tok', dpop: 'proof-2' };
    expect(withAuthorization({ DPoP: 'proof-1', 'X-Trace': '1' }, exchangeOf(auth))).toEqual({
      'X-Trace': '1',
      authorization: 'DPoP tok',
      dpop: 'proof-2',
    });
    expect(
      (withAuthorization([['dpop', 'proof-1']], exchangeOf(auth)) as Headers).get('dpop'),
    ).toBe('proof-2');
    const set = withAuthorization(new Headers({ dpop: 'proof-1' }), exchangeOf(auth)) as Headers;
    expect(set.get('dpop')).toBe('proof-2');
    // A DPoP provider's Bearer answer drops a stale proof (dpop: null); a Bearer-only
    // provider (dpop: undefined) leaves the caller's DPoP header alone.
    const dropped = withAuthorization(
      new Headers({ dpop: 'proof-1' }),
      exchangeOf({ authorization: 'Bearer t', dpop: null }),
    );
    expect((dropped as Headers).has('dpop')).toBe(false);
    expect(
      withAuthorization({ dpop: 'theirs' }, exchangeOf({ authorization: 'Bearer t' })),
    ).toEqual({
      dpop: 'theirs',
      authorization: 'Bearer t',
    });
  });
});
