import { describe, expect, it } from 'vitest';
import { rejectionBackoff } from '../src/rejection-backoff.ts';

describe('rejectionBackoff', () => {
  it('holds a refused token for a window that doubles on repeats, then lets it go', () => {
    let now = 0;
    const backoff = rejectionBackoff(() => now);
    expect(backoff.mayInvalidate('t1')).toBe(true);
    expect(backoff.refused('t1')).toBe(1_000);
    expect(backoff.refused('t1')).toBeUndefined(); // the same episode: reported once
    expect(backoff.mayInvalidate('t1')).toBe(false);
    expect(backoff.mayInvalidate('another')).toBe(true);
    now = 1_000;
    expect(backoff.mayInvalidate('t1')).toBe(true);
    // The next refreshed token refused soon after: twice as long, up to five minutes.
    expect(backoff.refused('t2')).toBe(2_000);
    now = 3_000;
    expect(backoff.refused('t3')).toBe(4_000);
    for (let i = 0; i < 20; i++) {
      now += 10 * 60_000;
      backoff.refused(`late-${i}`);
    }
    // A long quiet spell starts over at one second.
    now += 10 * 60_000;
    expect(backoff.refused('fresh-start')).toBe(1_000);
  });
});
