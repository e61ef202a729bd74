/**
 * Property-based tests of the token response, driven as the provider meets it: a `fetch`
 * that answers with an arbitrary `Response`. Whatever the token endpoint sends, `getToken()`
 * gives a valid token or a typed error, and the lifetime follows the "Lifetime fallback
 * order" of docs/decisions.md.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isM2MAuthError } from '../src/errors.ts';
import type { TokenEvent } from '../src/events.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import { escapeControls, safeErrorUri } from '../src/server-text.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import type { AccessToken } from '../src/token-store.ts';
import {
  anyJson,
  contentType,
  fieldValue,
  formBody,
  jwtToken,
  numRuns,
  opaqueToken,
  propertyTimeoutMs,
  statusCode,
  TEN_YEARS_S,
} from './helpers/arbitraries.ts';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
  retryAfter?: string | undefined;
}

const NULL_BODY_STATUS = new Set([204, 205, 304]);
/** RFC 6749 Appendix A.12: access-token = 1*VSCHAR. */
const VSCHARS = /^[\x20-\x7e]+$/;
/** The codes a token endpoint's answer can produce; a network error would mean we crashed. */
const RESPONSE_CODES: string[] = [
  ErrorCode.OAUTH,
  ErrorCode.HTTP,
  ErrorCode.INVALID_RESPONSE,
  ErrorCode.UNSUPPORTED_TOKEN_TYPE,
];

/** One token request against a fresh provider whose token endpoint gives `answer`. */
async function exchange(answer: Answer, options: Partial<TokenProviderOptions> = {}) {
  const events: TokenEvent[] = [];
  let fetchedAt = Number.NaN;
  const tokens = createTokenProvider({
    tokenUrl: 'https://auth.property.test/token',
    clientId: 'client',
    clientSecret: 'secret-value',
    retry: { maxAttempts: 1 },
    onEvent: (event) => events.push(event),
    fetch: async () => {
      fetchedAt = Date.now();
      const headers = new Headers();
      if (answer.contentType !== undefined) headers.set('content-type', answer.contentType);
      if (answer.retryAfter !== undefined) headers.set('retry-after', answer.retryAfter);
      // Bytes, not a string: a string body would get `text/plain` when the type is missing.
      const body = NULL_BODY_STATUS.has(answer.status)
        ? null
        : new TextEncoder().encode(answer.body);
      return new Response(body, { status: answer.status, headers });
    },
    ...options,
  });
  const askedAt = Date.now();
  const outcome = await tokens.getToken().then(
    (token) => ({ token, error: undefined }),
    (error: unknown) => ({ token: undefined, error }),
  );
  const fetched = events.find((event) => event.type === 'token_fetched');
  return { ...outcome, fetched, askedAt, fetchedAt };
}

type Outcome = Awaited<ReturnType<typeof exchange>>;

function expectValidToken(token: AccessToken | undefined, askedAt: number): AccessToken {
  expect(token?.tokenType).toBe('Bearer');
  expect(token?.accessToken).toMatch(VSCHARS);
  expect(Number.isFinite(token?.expiresAt)).toBe(true);
  expect(token?.expiresAt).toBeGreaterThan(askedAt);
  return token as AccessToken;
}

/** A token, or a typed error with one of the response codes and the answer's status. */
function expectTokenOrTypedError(outcome: Outcome, status: number): void {
  if (outcome.error === undefined) {
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThanOrEqual(299);
    expectValidToken(outcome.token, outcome.askedAt);
    return;
  }
  expect(isM2MAuthError(outcome.error)).toBe(true);
  expect(outcome.error).toMatchObject({ status });
  expect(RESPONSE_CODES).toContain((outcome.error as { code: string }).code);
}

const tokenField = fc.oneof(
  opaqueToken(),
  jwtToken.map((t) => t.token),
  fc.constant(''),
  fc.string({ unit: 'grapheme', minLength: 1 }),
);
const tokenTypeField = fc.oneof(
  fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR', 'mac', 'DPoP', 'N_A', '', ' bearer'),
  fc.string(),
);
const expiresInField = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.nat().map(String),
  fc.constantFrom('1e3', '-60', 'NaN', 'Infinity', ' 900 ', '1.5', '0', ''),
);
const errorField = fc.oneof(
  fc.constantFrom('invalid_client', 'invalid_scope', 'unauthorized_client', ''),
  fc.string({ unit: 'grapheme' }),
);
const text = (maxLength = 80) => fc.string({ unit: 'grapheme', maxLength });

/** The members of a token or error response, each maybe missing, mistyped or empty. */
const tokenResponseFields = fc.record(
  {
    access_token: fieldValue(tokenField),
    token_type: fieldValue(tokenTypeField),
    expires_in: fieldValue(expiresInField),
    scope: fieldValue(text()),
    error: fieldValue(errorField),
    error_description: fieldValue(text(600)),
    error_uri: fieldValue(text()),
  },
  { requiredKeys: [] },
);

const anyBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
  anyJson.map((value) => JSON.stringify(value)),
  tokenResponseFields.map((fields) => JSON.stringify(fields)),
  tokenResponseFields.map(formBody),
  fc.constantFrom(
    '',
    '   ',
    'null',
    '[]',
    '{',
    '{"access_token":',
    '\uFEFF{"access_token":"bom"}',
    'access_token',
    'access_token=',
    '<html><body>Sign in</body></html>',
    'access_token=a<b',
  ),
);

describe('token responses (property-based)', () => {
  it('ends every answer in a valid token or a typed error, never a crash', {
    timeout: propertyTimeoutMs,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          status: statusCode,
          contentType,
          body: anyBody,
          retryAfter: fc.option(fc.stringMatching(/^[ -~]{0,30}$/), { nil: undefined }),
        }),
        async (answer) => {
          expectTokenOrTypedError(await exchange(answer), answer.status);
        },
      ),
      { numRuns },
    );
  });

  const jsonTypes = fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'application/problem+json',
    'text/plain',
    'text/html',
  );
  const formTypes = fc.constantFrom(
    undefined,
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'text/plain',
  );
  const encodedFields = fc.oneof(
    fc.record({ fields: tokenResponseFields, contentType: jsonTypes, form: fc.constant(false) }),
    fc.record({
      fields: tokenResponseFields.map((fields) =>
        Object.fromEntries(new URLSearchParams(formBody(fields))),
      ),
      contentType: formTypes,
      form: fc.constant(true),
    }),
  );

  it('follows RFC 6749 for JSON and form bodies: a redirect refused, then the error member, then status, then access_token and token_type', {
    timeout: propertyTimeoutMs,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        encodedFields,
        statusCode.filter((status) => !NULL_BODY_STATUS.has(status)),
        async ({ fields, contentType, form }, status) => {
          const body = form ? formBody(fields) : JSON.stringify(fields);
          const outcome = await exchange({ status, contentType, body });
          const { error, error_description, error_uri, access_token, token_type } = fields;
          const upTo500 = (value: unknown) =>
            typeof value === 'string' ? value.slice(0, 500) : undefined;
          const ok = status >= 200 && status <= 299;
          const shown = (value: string | undefined) =>
            value === undefined ? undefined : escapeControls(value);

          if (status >= 300 && status <= 399) {
            // A redirect is refused before its body is read: credentials never follow one.
            expect(outcome.error).toMatchObject({ code: ErrorCode.HTTP, status });
          } else if (typeof error === 'string' && error !== '') {
            expect(outcome.error).toMatchObject({
              code: ErrorCode.OAUTH,
              status,
              // Server text has its control characters escaped; only an http(s) error_uri stays.
              error: shown(upTo500(error)),
              error_description: shown(upTo500(error_description)),
              error_uri: safeErrorUri(upTo500(error_uri)),
            });
          } else if (!ok) {
            expect(outcome.error).toMatchObject({ code: ErrorCode.HTTP, status });
          } else if (typeof access_token !== 'string' || !VSCHARS.test(access_token)) {
            expect(outcome.error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, status });
          } else if (
            token_type !== undefined &&
            (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer')
          ) {
            expect(outcome.error).toMatchObject({
              code: ErrorCode.UNSUPPORTED_TOKEN_TYPE,
              status,
            });
          } else {
            const token = expectValidToken(outcome.token, outcome.askedAt);
            expect(token.accessToken).toBe(access_token);
            expect(token.scope).toBe(typeof fields.scope === 'string' ? fields.scope : undefined);
          }
        },
      ),
      { numRuns },
    );
  });
});

/**
 * An `expires_in` member as it appears on the wire (`json`: raw JSON text, `form`: the form
 * value) and the seconds the decision rules read from it (`undefined`: not given).
 */
interface ExpiresIn {
  json: string | undefined;
  form: string | undefined;
  seconds: number | undefined;
}

const digits = (max: number) => fc.stringMatching(new RegExp(`^\\d{1,${max}}$`));
/** A decimal string, maybe padded: "3600", "0900", " 1.5 ", "315360000.0". */
const decimalString = fc
  .tuple(
    fc.constantFrom('', ' ', '\t'),
    fc.oneof(digits(12), fc.nat({ max: TEN_YEARS_S + 10 }).map(String)),
    fc.option(digits(6), { nil: undefined }),
    fc.constantFrom('', ' ', '\n'),
  )
  .map(([before, whole, fraction, after]): ExpiresIn => {
    const value = `${whole}${fraction === undefined ? '' : `.${fraction}`}`;
    const padded = `${before}${value}${after}`;
    return { json: JSON.stringify(padded), form: padded, seconds: Number(value) };
  });
/** Strings that are not decimal: exponent forms, signs, hex, words, other digits. */
const otherString = fc
  .oneof(
    fc.constantFrom(
      '1e3',
      '1E3',
      '1e+3',
      '3.6e3',
      '0x10',
      '0b1',
      'Infinity',
      '-Infinity',
      'NaN',
      '',
      ' ',
      'abc',
      '3600s',
      '1,000',
      '1_000',
      '３６００',
      '١٢٣',
      'null',
    ),
    fc.tuple(fc.nat(), fc.nat(30)).map(([m, e]) => `${m}e${e}`),
    fc.nat().map((n) => `-${n}`),
  )
  .map((value): ExpiresIn => ({ json: JSON.stringify(value), form: value, seconds: undefined }));
/** JSON number literals, exponent forms included (`1e3` on the wire, not `1000`). */
const numberLiteral = fc
  .oneof(
    fc.double({ min: 1e-3 }),
    fc.double({ max: 0 }),
    fc.integer({ min: -1e6, max: 2 * TEN_YEARS_S }),
    fc
      .tuple(
        fc.integer({ min: -9999, max: 9999 }),
        fc.constantFrom('e', 'E', 'e+', 'E-', 'e-'),
        fc.nat(400),
      )
      .map(([mantissa, e, exponent]) => `${mantissa}${e}${exponent}`),
    fc.constantFrom(
      0,
      1e-7,
      5e-324,
      0.5,
      1,
      1e3,
      TEN_YEARS_S,
      TEN_YEARS_S + 0.5,
      1e12,
      Number.MAX_VALUE,
    ),
  )
  .map((value): ExpiresIn => {
    // JSON has no Infinity: JSON.stringify writes null, which the rules read as not given.
    const json = typeof value === 'string' ? value : JSON.stringify(value);
    return { json, form: undefined, seconds: json === 'null' ? undefined : Number(json) };
  });
const notANumber = anyJson
  .filter((value) => typeof value !== 'number' && typeof value !== 'string')
  .map(
    (value): ExpiresIn => ({ json: JSON.stringify(value), form: undefined, seconds: undefined }),
  );
const absent: ExpiresIn = { json: undefined, form: undefined, seconds: undefined };

const TEN_YEARS_MS = TEN_YEARS_S * 1000;
/** The rule for any lifetime: from 1 s to 10 years; else not given. */
const usable = (ms: number) => Number.isFinite(ms) && ms >= 1000 && ms <= TEN_YEARS_MS;
function expiresInMs(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  return usable(seconds * 1000) ? seconds * 1000 : undefined;
}

describe('token lifetime (property-based)', () => {
  const opaque = opaqueToken().map((token) => ({ token, exp: undefined, iat: undefined }));
  const scenario = fc.oneof(
    fc.record({
      form: fc.constant(false),
      expiresIn: fc.oneof(
        decimalString,
        otherString,
        numberLiteral,
        notANumber,
        fc.constant(absent),
      ),
      contentType: fc.constantFrom(undefined, 'application/json; charset=utf-8', 'text/plain'),
    }),
    fc.record({
      form: fc.constant(true),
      expiresIn: fc.oneof(decimalString, otherString, fc.constant(absent)),
      contentType: fc.constantFrom(undefined, 'application/x-www-form-urlencoded'),
    }),
  );

  it('takes expires_in, then the JWT lifetime, then defaultLifetimeMs, as docs/decisions.md orders them', {
    timeout: propertyTimeoutMs,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.oneof(opaque, jwtToken),
        fc.integer({ min: 1_000, max: 86_400_000 }),
        async ({ form, expiresIn, contentType }, { token, exp, iat }, defaultLifetimeMs) => {
          const body = form
            ? formBody({
                access_token: token,
                ...(expiresIn.form === undefined ? {} : { expires_in: expiresIn.form }),
              })
            : `{"access_token":${JSON.stringify(token)}${
                expiresIn.json === undefined ? '' : `,"expires_in":${expiresIn.json}`
              },"token_type":"Bearer"}`;
          const outcome = await exchange({ status: 200, contentType, body }, { defaultLifetimeMs });
          const issued = expectValidToken(outcome.token, outcome.askedAt);
          expect(issued.accessToken).toBe(token);
          const { fetched, askedAt, fetchedAt } = outcome;
          if (fetched?.type !== 'token_fetched') throw new Error('no token_fetched event');
          const { lifetimeMs, lifetimeSource } = fetched;

          // Lifetime counts from when the request started: between askedAt and fetchedAt.
          expect(issued.expiresAt).toBe(fetched.expiresAt);
          expect(issued.expiresAt - lifetimeMs).toBeGreaterThanOrEqual(askedAt - 0.01);
          expect(issued.expiresAt - lifetimeMs).toBeLessThanOrEqual(fetchedAt + 0.01);

          const given = expiresInMs(expiresIn.seconds);
          if (given !== undefined) {
            expect({ lifetimeMs, lifetimeSource }).toEqual({
              lifetimeMs: given,
              lifetimeSource: 'expires_in',
            });
          } else if (exp !== undefined && iat !== undefined && iat < exp) {
            const fromJwt = (exp - iat) * 1000;
            expect({ lifetimeMs, lifetimeSource }).toEqual(
              usable(fromJwt)
                ? { lifetimeMs: fromJwt, lifetimeSource: 'jwt' }
                : { lifetimeMs: defaultLifetimeMs, lifetimeSource: 'default' },
            );
          } else if (
            exp !== undefined &&
            exp * 1000 - askedAt >= 1000 &&
            exp * 1000 - fetchedAt <= TEN_YEARS_MS
          ) {
            // `exp - now`, with now somewhere between askedAt and fetchedAt.
            expect(lifetimeSource).toBe('jwt');
            expect(lifetimeMs).toBeGreaterThanOrEqual(exp * 1000 - fetchedAt);
            expect(lifetimeMs).toBeLessThanOrEqual(exp * 1000 - askedAt);
          } else {
            expect({ lifetimeMs, lifetimeSource }).toEqual({
              lifetimeMs: defaultLifetimeMs,
              lifetimeSource: 'default',
            });
          }
        },
      ),
      { numRuns },
    );
  });
});
