import { describe, expect, it } from 'vitest';
import { createClock } from '../src/clock.ts';
import { useFakeClock } from './helpers/fake-clock.ts';

const T = Date.parse('2026-12-03T10:00:00Z'); // a whole second, as a Date header is
const header = (ms: number) => new Date(ms).toUTCString();

describe("the authorization server's clock", () => {
  useFakeClock();

  it('is ours until a Date header says otherwise, and a header that is not a date says nothing', () => {
    const clock = createClock(5000);
    for (const value of [null, '', 'soon', 'Thu, 99 Foo 2026 99:99:99 GMT']) {
      expect(clock.observe(value, T)).toBeUndefined();
    }
    expect(clock.offsetMs).toBe(0);
    expect(clock.now()).toBe(Date.now());
  });

  it('is ahead or behind by what the header shows, read at the middle of its second', () => {
    const ahead = createClock(5000);
    expect(ahead.observe(header(T + 10_000), T)).toBe(10_500);
    expect(ahead.offsetMs).toBe(10_500);
    expect(ahead.now()).toBe(Date.now() + 10_500);
    const behind = createClock(5000);
    expect(behind.observe(header(T - 10_000), T)).toBe(-9_500);
    expect(behind.offsetMs).toBe(-9_500);
  });

  it('takes a difference within the tolerance as none (the header has one-second resolution)', () => {
    const clock = createClock(5000);
    expect(clock.observe(header(T), T - 4500)).toBeUndefined(); // 5000: at the tolerance
    expect(clock.observe(header(T), T + 5500)).toBeUndefined(); // -5000
    expect(clock.offsetMs).toBe(0);
    expect(clock.observe(header(T), T - 4501)).toBe(5001);
  });

  it('reports a move of a second or more, back to 0 too, and ignores smaller moves', () => {
    const clock = createClock(5000);
    expect(clock.observe(header(T + 10_000), T)).toBe(10_500);
    expect(clock.observe(header(T + 10_000), T - 999)).toBeUndefined(); // 11 499: 999 ms more
    expect(clock.offsetMs).toBe(10_500);
    expect(clock.observe(header(T + 10_000), T - 1000)).toBe(11_500);
    expect(clock.observe('not a date', T)).toBeUndefined(); // says nothing, changes nothing
    expect(clock.offsetMs).toBe(11_500);
    expect(clock.observe(header(T), T)).toBe(0); // back in step
    expect(clock.offsetMs).toBe(0);
  });
});
