import { describe, expect, it } from 'vitest';
import { lifetimeFromJwt } from '../src/jwt-lifetime.ts';

/** An unsigned JWT with this payload text (the lifetime is read, never verified). */
const jwt = (payload: string) =>
  `${btoa('{"alg":"none"}')}.${btoa(payload).replace(/=+$/, '')}.`
    .replace(/\+/g, '-')
    .replace(/\//g, '_');

const now = 1_800_000_000_000;
const nowS = now / 1000;

describe('lifetimeFromJwt', () => {
  it('is exp - iat when both are there, whatever our clock says', () => {
    expect(lifetimeFromJwt(jwt(`{"iat":${nowS - 5000},"exp":${nowS - 4000}}`), now)).toBe(
      1_000_000,
    );
    expect(lifetimeFromJwt(jwt(`{"iat":100,"exp":3700}`), now)).toBe(3_600_000);
  });

  it('is exp - now when iat is missing, not a finite number, or not before exp', () => {
    const exp = nowS + 600;
    for (const iat of [
      '',
      '"iat":"100",',
      '"iat":1e400,',
      '"iat":-1e400,',
      `"iat":${exp},`,
      `"iat":${exp + 1},`,
    ]) {
      expect(lifetimeFromJwt(jwt(`{${iat}"exp":${exp}}`), now), iat).toBe(600_000);
    }
  });

  it('is nothing for an opaque token, a missing or odd exp, or one already past', () => {
    for (const token of [
      'opaque-token',
      jwt('{"iat":1}'),
      jwt(`{"exp":"${nowS + 600}"}`),
      jwt('{"exp":1e400}'),
      jwt(`{"exp":${nowS}}`),
      jwt(`{"exp":${nowS - 1}}`),
      jwt(`{"iat":${nowS - 10},"exp":${nowS - 10}}`),
    ]) {
      expect(lifetimeFromJwt(token, now), token).toBeUndefined();
    }
  });
});
