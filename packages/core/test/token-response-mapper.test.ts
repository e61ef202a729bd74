/**
 * The user's `mapTokenResponse` as core runs it: its failures on a 2xx become a typed,
 * bounded and masked TokenResponseError; on any other status the answer is read as it came.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, TokenResponseError } from '../src/errors.ts';
import { mappedBody, type TokenResponseMapper } from '../src/token-response-mapper.ts';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.payload.sig';
const text = JSON.stringify({ data: { token: TOKEN } });
const info = (status: number) => ({ status, headers: new Headers(), text });
const redact = (value: string) => value.replaceAll('the-secret', '[REDACTED]');
const run = (map: TokenResponseMapper, status = 200, body: Record<string, unknown> = {}) =>
  mappedBody(map, body, info(status), redact);
const thrown = (map: TokenResponseMapper, status = 200) => {
  try {
    run(map, status);
  } catch (error) {
    return error as TokenResponseError;
  }
  throw new Error('did not throw');
};

describe('mappedBody', () => {
  it('names what the hook threw, cut short and masked, on any 2xx', () => {
    for (const status of [200, 299]) {
      const error = thrown(() => {
        throw new RangeError(`no token in ${TOKEN} for the-secret ${'x'.repeat(400)}`);
      }, status);
      expect(error).toBeInstanceOf(TokenResponseError);
      expect(error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, status });
      expect(error.message).toMatch(
        /^mapTokenResponse threw RangeError: no token in \[redacted\] for \[REDACTED\] x+$/,
      );
      expect(error.message.length).toBeLessThan(300 + 40);
    }
  });

  it('gives only the name when there is no message, and the type of a thrown non-Error', () => {
    const nameless = thrown(() => {
      throw Object.assign(new Error(''), { name: `Custom${'E'.repeat(100)}` });
    });
    expect(nameless.message).toBe(`mapTokenResponse threw Custom${'E'.repeat(54)}`);
    const string = thrown(() => {
      throw 'a string';
    });
    expect(string.message).toBe('mapTokenResponse threw string');
  });

  it('leaves an answer that is not a 2xx as it came when the hook throws or returns nonsense', () => {
    const body = { error: 'temporarily_unavailable' };
    for (const status of [199, 300, 503]) {
      expect(
        run(
          () => {
            throw new Error('no');
          },
          status,
          body,
        ),
      ).toBe(body);
      expect(run(() => 42 as never, status, body)).toBe(body);
    }
    expect(() => run(() => 42 as never)).toThrow(
      'mapTokenResponse returned a number, not an object',
    );
  });
});
