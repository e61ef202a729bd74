/**
 * The redactor every error, event and log line goes through: what it masks, how it matches,
 * and what it keeps of a thrown value.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/redactor.ts';

describe('createRedactor', () => {
  it('masks every occurrence of a secret, in any case', () => {
    const { redact } = createRedactor(['s3cr%C3%A9t']);
    expect(redact('a s3cr%C3%A9t, b S3CR%c3%a9T, c s3cr%c3%a9t')).toBe(
      'a [REDACTED], b [REDACTED], c [REDACTED]',
    );
  });

  it('matches a secret with regular-expression characters literally', () => {
    for (const secret of ['p.ss', 'a*b+', 'x?y|z', '^top$', '(par)', '[set]', '{1,2}', 'b\\sl']) {
      const { redact } = createRedactor([secret]);
      expect(redact(`is ${secret} here`)).toBe('is [REDACTED] here');
    }
    const { redact } = createRedactor(['p.ss|word']);
    expect(redact('pass word pXss|word p.ss|word')).toBe('pass word pXss|word [REDACTED]');
  });

  it('leaves values under 4 characters alone: they would mask half of every message', () => {
    const redactor = createRedactor(['abc', 'abcd']);
    redactor.add('xyz');
    redactor.add('wxyz');
    redactor.addSecrets(['no', 'four']);
    expect(redactor.redact('abc xyz no')).toBe('abc xyz no');
    expect(redactor.redact('abcd wxyz four')).toBe('[REDACTED] [REDACTED] [REDACTED]');
  });

  it('masks every secret it was taught, at creation or later, and every kind at once', () => {
    const redactor = createRedactor(['first-secret']);
    redactor.addSecrets(['rotated-secret']);
    redactor.add('access-token-1');
    redactor.addSent('assertion-jwt');
    expect(redactor.redact('first-secret rotated-secret access-token-1 assertion-jwt plain')).toBe(
      '[REDACTED] [REDACTED] [REDACTED] [REDACTED] plain',
    );
  });

  it('keeps the last 64 tokens, and credentials sent never push a token out', () => {
    const redactor = createRedactor([]);
    for (let i = 0; i < 65; i++) redactor.add(`token-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < 100; i++) redactor.addSent(`proof-${i}-of-a-request`);
    expect(redactor.redact('token-000')).toBe('token-000'); // the oldest of 65 went
    expect(redactor.redact('token-001 token-064')).toBe('[REDACTED] [REDACTED]');
    // The last 16 sent credentials are kept; older ones go.
    expect(redactor.redact('proof-83-of-a-request')).toBe('proof-83-of-a-request');
    expect(redactor.redact('proof-84-of-a-request proof-99-of-a-request')).toBe(
      '[REDACTED] [REDACTED]',
    );
    // Secrets are never forgotten.
    const secrets = createRedactor(['the-client-secret']);
    for (let i = 0; i < 200; i++) secrets.add(`token-${i}-padding`);
    expect(secrets.redact('the-client-secret')).toBe('[REDACTED]');
  });

  it('copies a thrown value as an Error with its name, redacted message and stack, string code and cause', () => {
    const redactor = createRedactor(['the-secret']);
    const inner = Object.assign(new RangeError('inner the-secret'), { code: 'E_INNER' });
    const thrown = Object.assign(new TypeError('outer the-secret', { cause: inner }), {
      code: 42,
      secretField: 'the-secret',
    });
    const copy = redactor.redactError(thrown);
    expect(copy).toBeInstanceOf(Error);
    expect(copy).not.toBe(thrown);
    expect(copy.name).toBe('TypeError');
    expect(copy.message).toBe('outer [REDACTED]');
    expect(copy.stack).toMatch(/^TypeError: outer \[REDACTED\]\n/);
    expect(['code' in copy, 'secretField' in copy]).toEqual([false, false]); // only a string code
    const cause = copy.cause as Error & { code?: string };
    expect([cause.name, cause.message, cause.code]).toEqual([
      'RangeError',
      'inner [REDACTED]',
      'E_INNER',
    ]);
    expect('cause' in cause).toBe(false); // none made up where there was none
    expect(redactor.redactError('plain the-secret')).toEqual(new Error('plain [REDACTED]'));
    expect(redactor.redactError(undefined).message).toBe('undefined');
    const noStack = new Error('no stack');
    delete noStack.stack;
    expect(redactor.redactError(noStack).stack).toBe('');
  });
});
