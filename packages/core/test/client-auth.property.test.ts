/**
 * Property-based tests of the client credentials: the Basic header decodes back to exactly
 * the id and secret (RFC 6749 §2.3.1, and raw for servers that do not decode), and no error
 * ever carries the secret, a Basic value or an access token, whatever a server echoes.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  autoCandidates,
  basicAuthorization,
  type ClientAuth,
  type ClientAuthMethod,
  formEncode,
} from '../src/client-auth.ts';
import { isM2MAuthError } from '../src/errors.ts';
import type { FetchLike } from '../src/token-endpoint.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import {
  contentType,
  credential,
  distinctive,
  numRuns,
  opaqueToken,
  propertyTimeoutMs,
  statusCode,
} from './helpers/arbitraries.ts';
import { scriptedEndpoint, scriptedProvider } from './helpers/scripted-endpoint.ts';

/** The UTF-8 text inside `Basic <base64>`, after checking the Base64 is canonical. */
function decodeBasic(header: string | null | undefined): string {
  expect(header).toMatch(/^Basic (?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  const base64 = (header as string).slice('Basic '.length);
  const bytes = Buffer.from(base64, 'base64');
  expect(bytes.toString('base64')).toBe(base64);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** RFC 6749 §2.3.1: split at the first ':', then form-decode each side (Appendix B). */
function decodeEncodedPair(pair: string): [string, string] {
  const colon = pair.indexOf(':');
  expect(colon).toBeGreaterThanOrEqual(0);
  const formDecode = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));
  return [formDecode(pair.slice(0, colon)), formDecode(pair.slice(colon + 1))];
}

describe('client_secret_basic encoding (property-based)', () => {
  it('decodes back to exactly the id and secret: Base64, first colon, form decoding', () => {
    fc.assert(
      fc.property(credential(0), credential(0), (id, secret) => {
        expect(decodeEncodedPair(decodeBasic(basicAuthorization(id, secret, true)))).toEqual([
          id,
          secret,
        ]);
      }),
      { numRuns },
    );
  });

  it('has a raw variant that is the Base64 of the UTF-8 id:secret, verbatim', () => {
    fc.assert(
      fc.property(credential(0), credential(0), (id, secret) => {
        const header = basicAuthorization(id, secret, false);
        expect(decodeBasic(header)).toBe(`${id}:${secret}`);
        expect(new Uint8Array(Buffer.from(header.slice('Basic '.length), 'base64'))).toEqual(
          new TextEncoder().encode(`${id}:${secret}`),
        );
      }),
      { numRuns },
    );
  });

  it('differs from raw Basic exactly when form encoding changes the id or secret, which is when auto tries raw', () => {
    fc.assert(
      fc.property(credential(), credential(), (id, secret) => {
        const unchanged = formEncode(id) === id && formEncode(secret) === secret;
        const same = basicAuthorization(id, secret, true) === basicAuthorization(id, secret, false);
        expect(same).toBe(unchanged);
        expect(autoCandidates(id, secret).includes('client_secret_basic_raw')).toBe(!unchanged);
      }),
      { numRuns },
    );
  });

  it('puts the credentials on the wire where each method says, recoverable exactly', {
    timeout: propertyTimeoutMs,
  }, async () => {
    const method = fc.constantFrom<ClientAuthMethod>(
      'client_secret_basic',
      'client_secret_basic_raw',
      'client_secret_post',
    );
    await fc.assert(
      fc.asyncProperty(
        credential(),
        credential(),
        method,
        fc.boolean(),
        async (clientId, clientSecret, clientAuth, clientIdInBody) => {
          const { endpoint, tokens } = scriptedProvider(scriptedEndpoint(), {
            clientId,
            clientSecret,
            clientAuth,
            clientIdInBody,
          });
          await tokens.getToken();
          const [authorization] = endpoint.authorizations;
          const [body] = endpoint.requests;
          if (clientAuth === 'client_secret_post') {
            expect(authorization).toBeNull();
            expect([body?.get('client_id'), body?.get('client_secret')]).toEqual([
              clientId,
              clientSecret,
            ]);
            return;
          }
          const pair = decodeBasic(authorization);
          expect(clientAuth === 'client_secret_basic' ? decodeEncodedPair(pair) : pair).toEqual(
            clientAuth === 'client_secret_basic'
              ? [clientId, clientSecret]
              : `${clientId}:${clientSecret}`,
          );
          expect(body?.has('client_secret')).toBe(false);
          expect(body?.get('client_id')).toBe(clientIdInBody ? clientId : null);
        },
      ),
      { numRuns },
    );
  });
});

/** What a hostile token endpoint echoes: parts of the request, an old token, its own text. */
const ECHOES = [
  'secret',
  'form-encoded secret',
  'URI-encoded secret',
  'Authorization header',
  'Basic value',
  'request body',
  'issued token',
  'answer token',
] as const;
type Piece = { echo: (typeof ECHOES)[number] } | string;
const pieces = fc.array(
  fc.oneof(
    fc.constantFrom(...ECHOES).map((echo) => ({ echo })),
    fc.string({ unit: 'grapheme' }),
  ),
  { maxLength: 6 },
);

interface Wire {
  secret: string;
  issued: string;
  fresh: string;
  init: RequestInit;
}

function echo(wire: Wire, chosen: Piece[]): string {
  const authorization = new Headers(wire.init.headers).get('authorization') ?? '';
  const echoed: Record<(typeof ECHOES)[number], string> = {
    secret: wire.secret,
    'form-encoded secret': formEncode(wire.secret),
    'URI-encoded secret': encodeURIComponent(wire.secret),
    'Authorization header': authorization,
    'Basic value': authorization.slice('Basic '.length),
    'request body': String(wire.init.body),
    'issued token': wire.issued,
    'answer token': wire.fresh,
  };
  return chosen.map((piece) => (typeof piece === 'string' ? piece : echoed[piece.echo])).join(' ');
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const withBody = statusCode.filter((status) => ![204, 205, 304].includes(status));

/**
 * Each way the second token request fails, echoing anything it saw: the secret in every
 * encoding, an earlier token, the answer's own access_token, and a `Content-Type` that
 * quotes the secret (where the secret can be a header value at all).
 */
const failure = fc.oneof(
  fc.record({
    kind: fc.constant('oauth error' as const),
    status: withBody,
    error: pieces,
    description: pieces,
    uri: pieces,
  }),
  fc.record({ kind: fc.constant('unsupported token_type' as const), type: pieces }),
  fc.record({
    kind: fc.constant('not JSON' as const),
    status: withBody,
    contentType,
    secretInType: fc.boolean(),
    text: pieces,
  }),
  fc.record({ kind: fc.constant('network error' as const), message: pieces, inner: pieces }),
  fc.record({ kind: fc.constant('too large' as const), text: pieces }),
);
type Failure = typeof failure extends fc.Arbitrary<infer T> ? T : never;

function answer(fail: Failure, wire: Wire): Response {
  switch (fail.kind) {
    case 'oauth error':
      return json(fail.status, {
        access_token: wire.fresh,
        error: echo(wire, fail.error) || 'invalid_client',
        error_description: echo(wire, fail.description),
        error_uri: echo(wire, fail.uri),
      });
    case 'unsupported token_type':
      return json(200, { access_token: wire.fresh, token_type: `mac ${echo(wire, fail.type)}` });
    case 'not JSON': {
      const type =
        fail.secretInType && /^[\x21-\x7e]+$/.test(wire.secret)
          ? `text/${wire.secret}`
          : fail.contentType;
      return new Response(`<html>${echo(wire, fail.text)} ${wire.fresh}</html>`, {
        status: fail.status,
        headers: type === undefined ? {} : { 'content-type': type },
      });
    }
    case 'network error': {
      // No answer arrived, so there is no answer token to echo: that one we never saw.
      const sent = { ...wire, fresh: '' };
      throw new TypeError(echo(sent, fail.message), {
        cause: Object.assign(new Error(echo(sent, fail.inner)), { code: 'ECONNRESET' }),
      });
    }
    case 'too large':
      return json(200, {
        access_token: wire.fresh,
        padding: echo(wire, fail.text).padEnd(2_000),
      });
  }
}

/** A value as it is, and as JSON or `inspect` escape it inside a larger text. */
function forms(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), inspect(value).slice(1, -1)];
}

/**
 * Stack frames name code, not data (and this file's name holds "property", one of the
 * words fast-check likes to generate), so they are left out of the scan; messages stay in.
 */
const withoutFrames = (text: string) => text.replace(/^\s*at .*$/gm, '');

describe('secrets and tokens in errors (property-based)', () => {
  it('never shows the secret, a Basic value or a token in an error, its cause, JSON, inspect or events', {
    timeout: propertyTimeoutMs,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          clientId: credential(),
          secret: credential(8).filter(distinctive),
          issued: opaqueToken(8).filter(distinctive),
          fresh: opaqueToken(8).filter(distinctive),
          clientAuth: fc.constantFrom<ClientAuth>(
            'client_secret_basic',
            'client_secret_basic_raw',
            'client_secret_post',
            'auto',
          ),
        }),
        failure,
        async ({ clientId, secret, issued, fresh, clientAuth }, fail) => {
          let first = true;
          const fetch: FetchLike = async (_url, init) => {
            if (!first) return answer(fail, { secret, issued, fresh, init });
            first = false;
            return json(200, { access_token: issued, expires_in: 60 });
          };
          const captured: unknown[] = [];
          const log = (...args: unknown[]) => captured.push(args);
          const tokens = createTokenProvider({
            tokenUrl: 'https://auth.leak.test/token',
            clientId,
            clientSecret: secret,
            clientAuth,
            retry: { maxAttempts: 1 },
            maxResponseBytes: 1_024,
            fetch,
            onEvent: (event) => captured.push(event),
            logger: { debug: log, info: log, warn: log, error: log },
          });
          expect((await tokens.getToken()).accessToken).toBe(issued);
          await tokens.invalidate(issued);
          const error = await tokens.getToken().then(
            () => undefined,
            (e: unknown) => e,
          );

          expect(isM2MAuthError(error)).toBe(true);
          const e = error as Error;
          const outputs = {
            message: e.message,
            stack: e.stack ?? '',
            cause: String(e.cause),
            causeStack: e.cause instanceof Error ? (e.cause.stack ?? '') : '',
            json: JSON.stringify(e),
            inspect: inspect(e, { depth: 5 }),
            events: inspect(captured, { depth: 5 }) + JSON.stringify(captured),
          };
          const forbidden = [
            secret,
            formEncode(secret),
            encodeURIComponent(secret),
            basicAuthorization(clientId, secret, true).slice('Basic '.length),
            basicAuthorization(clientId, secret, false).slice('Basic '.length),
            issued,
            fresh,
          ].flatMap(forms);
          for (const [where, text] of Object.entries(outputs)) {
            const scanned = withoutFrames(text);
            const leaked = forbidden.find((value) => scanned.includes(value));
            expect(leaked, `${where} holds a secret or token`).toBeUndefined();
          }
        },
      ),
      { numRuns },
    );
  });
});
