import { describe, expect, it } from 'vitest';
import { issuedTokens } from '../src/issued-tokens.ts';

describe('issuedTokens', () => {
  it('knows our Authorization values: a token issued lately under either scheme, or masked', () => {
    const issued = issuedTokens();
    issued.remember('tok-1');
    for (const ours of ['Bearer tok-1', 'DPoP tok-1', 'Bearer [redacted]', 'DPoP [redacted]']) {
      expect(issued.isOurs(ours), ours).toBe(true);
    }
    for (const theirs of [
      'tok-1',
      'Basic tok-1',
      'bearer tok-1',
      'Bearer tok-2',
      'Bearer  tok-1',
      'Bearer tok-1x',
      'Bearer [REDACTED]',
      '[redacted]',
      'Bearer ',
      '',
    ]) {
      expect(issued.isOurs(theirs), theirs).toBe(false);
    }
  });

  it('keeps the 1024 handed out most recently: one handed out again stays', () => {
    const issued = issuedTokens();
    issued.remember('live');
    for (let i = 0; i < 1000; i++) issued.remember(`other-${i}`);
    issued.remember('live'); // handed out again: now among the most recent
    for (let i = 1000; i < 2000; i++) issued.remember(`other-${i}`);
    expect(issued.list()).toHaveLength(1024);
    expect(issued.isOurs('Bearer live')).toBe(true);
    expect(issued.isOurs('Bearer other-1999')).toBe(true);
    expect(issued.isOurs('Bearer other-977')).toBe(true);
    expect(issued.isOurs('Bearer other-976')).toBe(false);
    expect(issued.list().at(-1)).toBe('other-1999');
  });
});
