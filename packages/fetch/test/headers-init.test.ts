import { describe, expect, it } from 'vitest';
import { hasAuthorization, withAuthorization } from '../src/headers-init.ts';

describe('headers in the form the caller used', () => {
  it('finds Authorization in any case and any HeadersInit form', () => {
    expect(hasAuthorization(undefined)).toBe(false);
    expect(hasAuthorization({ 'X-Trace': '1' })).toBe(false);
    expect(hasAuthorization({ AUTHORIZATION: 'Bearer x' })).toBe(true);
    expect(hasAuthorization([['Authorization', 'Bearer x']])).toBe(true);
    expect(hasAuthorization(new Headers({ authorization: 'Bearer x' }))).toBe(true);
  });

  it('sets Authorization, keeps every other header, and never mutates the input', () => {
    const record = { 'X-Trace': '1', Authorization: 'old' };
    expect(withAuthorization(record, { header: 'Bearer new' })).toEqual({
      'X-Trace': '1',
      authorization: 'Bearer new',
    });
    expect(record).toEqual({ 'X-Trace': '1', Authorization: 'old' });

    const pairs: [string, string][] = [
      ['x-trace', '1'],
      ['authorization', 'old'],
    ];
    expect(withAuthorization(pairs, { header: 'Bearer new' })).toEqual([
      ['x-trace', '1'],
      ['authorization', 'Bearer new'],
    ]);
    expect(pairs).toHaveLength(2);

    const headers = new Headers({ 'x-trace': '1' });
    const set = withAuthorization(headers, { header: 'Bearer new' }) as Headers;
    expect([...set]).toEqual([
      ['authorization', 'Bearer new'],
      ['x-trace', '1'],
    ]);
    expect(headers.has('authorization')).toBe(false);

    expect(withAuthorization(undefined, { header: 'Bearer new' })).toEqual({
      authorization: 'Bearer new',
    });
  });

  it('sets the DPoP proof with a DPoP-bound token, replacing a stale one in any form', () => {
    const auth = { header: 'DPoP tok', dpop: 'proof-2' };
    expect(withAuthorization({ DPoP: 'proof-1', 'X-Trace': '1' }, auth)).toEqual({
      'X-Trace': '1',
      authorization: 'DPoP tok',
      dpop: 'proof-2',
    });
    expect(withAuthorization([['dpop', 'proof-1']], auth)).toEqual([
      ['authorization', 'DPoP tok'],
      ['dpop', 'proof-2'],
    ]);
    const set = withAuthorization(new Headers({ dpop: 'proof-1' }), auth) as Headers;
    expect(set.get('dpop')).toBe('proof-2');
    // A Bearer token drops a stale proof of ours.
    const bearer = withAuthorization(new Headers({ dpop: 'proof-1' }), { header: 'Bearer t' });
    expect((bearer as Headers).has('dpop')).toBe(false);
  });
});
