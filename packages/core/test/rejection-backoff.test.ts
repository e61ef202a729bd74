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

  it('doubles up to five minutes while refusals follow each window closely, then starts over', () => {
    let now = 0;
    const backoff = rejectionBackoff(() => now);
    const windows: number[] = [];
    for (let i = 0; i < 12; i++) {
      const window = backoff.refused('the same token') as number;
      windows.push(window);
      now += window; // refused again the moment its window ends: a new episode
      expect(backoff.mayInvalidate('the same token')).toBe(true);
    }
    expect(windows).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000,
      300_000,
    ]);
    // Quiet for twice the last window: the next refusal is a first one again.
    now += 600_000;
    expect(backoff.refused('the same token')).toBe(1_000);
    now += 1_000 + 2_000 - 1; // just under twice the window after it ended: a repeat
    expect(backoff.refused('another token')).toBe(2_000);
    now += 2_000 + 4_000; // exactly twice the window after it ended: over
    expect(backoff.refused('a third token')).toBe(1_000);
  });

  it('holds only the refused token, and only until its window ends', () => {
    let now = 0;
    const backoff = rejectionBackoff(() => now);
    backoff.refused('refused');
    now = 999;
    expect(backoff.mayInvalidate('refused')).toBe(false);
    expect(backoff.mayInvalidate('any other')).toBe(true);
    expect(backoff.refused('refused')).toBeUndefined(); // still the same episode
    // Another token refused meanwhile (fetched by other means): a new episode, reported.
    expect(backoff.refused('fetched since')).toBe(2_000);
    expect(backoff.mayInvalidate('fetched since')).toBe(false);
    expect(backoff.mayInvalidate('refused')).toBe(true);
  });
});
