/**
 * fast-check arbitraries shared by the property tests: awkward credentials, tokens, and the
 * shapes a token endpoint's answer can take on the wire.
 */
import fc from 'fast-check';

/** At least 10 000 runs per property in CI; 1 000 locally, so `vitest run` stays quick. */
export const numRuns = process.env['CI'] === 'true' ? 10_000 : 1_000;
/** Room for `numRuns` async runs on a slow CI machine; a property normally takes seconds. */
export const propertyTimeoutMs = 120_000;

/** Characters that form encoding, Basic or a naive `split(':')` treat specially. */
const awkward = fc.constantFrom(':', '%', '+', ' ', '&', '=', '/', '?', '#', '"', '\\', '%3A');
const oneOf = (unit: 'grapheme-ascii' | 'grapheme' | 'binary') =>
  fc.string({ unit, minLength: 1, maxLength: 1 });
/** One character: awkward ASCII, printable ASCII, any grapheme, any code point (controls too). */
const credentialUnit = fc.oneof(
  awkward,
  oneOf('grapheme-ascii'),
  oneOf('grapheme'),
  oneOf('binary'),
);

/** A client id or secret: any Unicode (well-formed UTF-16: it comes from env or a vault). */
export const credential = (minLength = 1) =>
  fc.string({ unit: credentialUnit, minLength, maxLength: 40 });

/** Characters RFC 6749 allows in an access token (Appendix A.12: 1*VSCHAR). */
const vschar = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
/** An opaque access token as servers issue them (no two dots, so never a JWT). */
export const opaqueToken = (minLength = 1) =>
  fc
    .string({ unit: fc.oneof(vschar, awkward), minLength, maxLength: 60 })
    .filter((token) => token.split('.').length !== 3);

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const jwt = (claims: object) => `${base64url({ alg: 'none' })}.${base64url(claims)}.sig`;

export const TEN_YEARS_S = 10 * 365 * 24 * 3600;
const nowS = () => Math.floor(Date.now() / 1000);

/**
 * A JWT access token: `iat` near now, a lifetime from 1 s to twice ten years (or already
 * expired), sometimes no `iat`, and now and then an absurd `exp` (1.8e305). `exp` and `iat`
 * are in seconds. Where `exp - now` decides, `exp` stays 5 s or more from now and from the
 * ten-year bound, so the request's own duration cannot move a case across a rule mid-test.
 */
export const jwtToken = fc.oneof(
  fc
    .record({
      iatOffsetS: fc.integer({ min: -86_400, max: 86_400 }),
      lifetimeS: fc.oneof(
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 1, max: 2 * TEN_YEARS_S }),
        fc.integer({ min: -86_400, max: 0 }),
      ),
      withIat: fc.boolean(),
    })
    .map(({ iatOffsetS, lifetimeS, withIat }) => {
      const iat = nowS() + iatOffsetS;
      const exp = iat + lifetimeS;
      return { token: jwt(withIat ? { iat, exp } : { exp }), exp, iat: withIat ? iat : undefined };
    })
    .filter(
      ({ exp, iat }) =>
        (iat !== undefined && iat < exp) ||
        (Math.abs(exp - nowS()) >= 5 && Math.abs(exp - nowS() - TEN_YEARS_S) >= 5),
    ),
  fc.constant(1.797e305).map((exp) => ({ token: jwt({ exp }), exp, iat: undefined })),
);

export const statusCode = fc.oneof(
  fc.constantFrom(200, 201, 202, 203, 204, 400, 401, 403, 404, 408, 429, 500, 502, 503, 504),
  fc.integer({ min: 200, max: 599 }),
);

/** Content types a token endpoint sends, right or wrong; `undefined` for none at all. */
export const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON;charset=UTF-8',
      'application/problem+json',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'text/plain',
      'text/html; charset=iso-8859-1',
      'application/octet-stream',
      '*/*',
      '',
    ),
    fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,20}(; ?charset=[A-Za-z0-9-]{1,12})?$/),
  ),
  { nil: undefined },
);

/** Body fields as a careless or hostile server sends them: right type, wrong type, empty. */
export const anyJson = fc.jsonValue({ maxDepth: 2 });
export const fieldValue = <T>(likely: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: likely }, { weight: 1, arbitrary: anyJson });

/** `application/x-www-form-urlencoded` form of a flat record (non-strings as JSON text). */
export function formBody(fields: Record<string, unknown>): string {
  const pairs = Object.entries(fields).map(
    ([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)] as const,
  );
  return new URLSearchParams(pairs as Array<[string, string]>).toString();
}

/**
 * For leak checks: a secret or token with at least four distinct visible characters, so
 * that finding it in an error means it leaked, not that it matched indentation or `: :`.
 */
export const distinctive = (value: string) => new Set(value.replace(/\s/g, '')).size >= 4;
