import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  M2MAuthError,
  OAuthError,
  TokenHttpError,
  TokenNetworkError,
  TokenResponseError,
  TokenTimeoutError,
} from '../src/errors.ts';
import { reviveFailure, shareFailure } from '../src/shared-failure.ts';

describe('shared failures', () => {
  it('revive as the same typed error with the same fields', () => {
    const errors = [
      new OAuthError(
        { error: 'invalid_client', error_description: 'bad secret', error_uri: 'https://x' },
        { status: 401 },
      ),
      new TokenHttpError(503, { retryAfterMs: 2000 }),
      new TokenNetworkError('Token endpoint unreachable: ECONNREFUSED'),
      new TokenTimeoutError(10_000),
      new TokenResponseError(ErrorCode.INVALID_RESPONSE, 'no access_token', { status: 200 }),
    ];
    for (const error of errors) {
      const revived = reviveFailure(JSON.parse(JSON.stringify(shareFailure(error))));
      expect(revived?.constructor).toBe(error.constructor);
      expect(revived?.toJSON()).toEqual(error.toJSON());
      expect(revived?.retryAfterMs).toBe(error.retryAfterMs);
    }
  });

  it('share nothing that is not an m2m-auth error', () => {
    expect(shareFailure(new Error('boom'))).toBeUndefined();
    expect(shareFailure(new DOMException('aborted', 'AbortError'))).toBeUndefined();
  });

  it('treat anything malformed from a store as no failure at all', () => {
    for (const hostile of [
      undefined,
      null,
      'M2M_OAUTH_ERROR',
      { code: 'NOT_OURS', message: 'x' },
      { code: ErrorCode.HTTP },
      { code: ErrorCode.HTTP, message: 'x', status: '503' },
      { code: ErrorCode.OAUTH, message: 'x', error: { nested: true } },
      { code: ErrorCode.NETWORK, message: 'x'.repeat(5000) },
    ]) {
      expect(reviveFailure(hostile)).toBeUndefined();
    }
    expect(reviveFailure({ code: ErrorCode.CONFIG, message: 'x' })).toBeInstanceOf(M2MAuthError);
  });
});
