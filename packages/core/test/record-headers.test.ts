import { describe, expect, it } from 'vitest';
import { recordHeaders } from '../src/record-headers.ts';

describe('recordHeaders', () => {
  it('reads a header whatever its spelling, and nothing for one that is absent', () => {
    const headers = recordHeaders({ Authorization: 'Bearer theirs', 'x-other': '1' });
    expect(headers.get('authorization')).toBe('Bearer theirs');
    expect(headers.get('dpop')).toBeUndefined();
  });

  it('sets one lower-case header in place of every other spelling, and leaves the rest', () => {
    const record: Record<string, unknown> = {
      Authorization: 'a',
      AUTHORIZATION: 'b',
      Accept: '*/*',
    };
    recordHeaders(record).set('authorization', 'Bearer ours');
    expect(record).toEqual({ authorization: 'Bearer ours', Accept: '*/*' });
  });

  it('deletes every spelling of a header', () => {
    const record: Record<string, unknown> = { DPoP: 'proof', dpop: 'proof', Accept: '*/*' };
    recordHeaders(record).delete('dpop');
    expect(record).toEqual({ Accept: '*/*' });
  });
});
