import { describe, expect, it } from 'vitest';
import { bursts } from '../compare/bursts.ts';
import { contenders } from '../contenders/index.ts';

// Runs tables 1 and 2 of `npm run bench` (real servers, about 15 s), so the comparison cannot
// rot: every alternative must still be wired right, and our claim is checked on every run.
describe('the benchmark comparison (bench/compare/bursts.ts)', () => {
  it('drives every library, and keeps ours at one token request and no failure', async () => {
    const rows = await bursts(contenders);
    expect(rows.map((r) => r.id)).toEqual(contenders.map((c) => c.id));
    for (const row of rows) {
      // One authenticated call works through every library as wired.
      expect(row.cold[0], row.id).toEqual({ calls: 1, tokenRequests: 1, failed: 0 });
    }
    for (const row of rows.filter((r) => r.id.startsWith('ours-'))) {
      for (const cell of row.cold)
        expect(cell, row.id).toMatchObject({ tokenRequests: 1, failed: 0 });
      expect(row.storm, row.id).toEqual({ tokenRequests: 1, failed: 0 });
      expect(row.slowStorm, row.id).toEqual({ tokenRequests: 1, failed: 0 });
    }
    // The slow-API storm is the scenario that tells a compare-and-delete from a plain refresh:
    // the hand-written cache (openid-client's row) refreshes again for late 401s.
    const handCache = rows.find((r) => r.id === 'openid-client');
    expect(handCache?.slowStorm.failed).toBe(0);
    expect(handCache?.slowStorm.tokenRequests).toBeGreaterThan(1);
  }, 120_000);
});
