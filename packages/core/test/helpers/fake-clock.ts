import { afterEach, beforeEach, vi } from 'vitest';

/** Fake `setTimeout`, `clearTimeout` and `Date` for each test of the describe block it is in. */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
