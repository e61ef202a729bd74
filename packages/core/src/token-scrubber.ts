/**
 * Masks our access tokens inside an HTTP client's own error before the adapter passes it on.
 * Those errors carry the request (axios: `config.headers` and the raw `request._header`;
 * got: `options` and the request; ky: the `Request`), and users log them whole. The error
 * keeps its type and every other field; only the token's characters become `[redacted]`.
 *
 * A bounded walk over the error's own enumerable properties (symbol keys too): strings holding a token are
 * rewritten where writable, and `Headers` (also a `Request`'s) are set anew.
 */
export const REDACTED = '[redacted]';

const MAX_DEPTH = 8;
const MAX_NODES = 5000;

function scrubText(text: string, tokens: readonly string[]): string {
  let result = text;
  for (const token of tokens)
    if (result.includes(token)) result = result.split(token).join(REDACTED);
  return result;
}

/** Masks our tokens in a `Headers`; false when they could not be set (an immutable one). */
function scrubHeaders(headers: Headers, tokens: readonly string[]): boolean {
  let clean = true;
  for (const [name, value] of [...headers]) {
    const masked = scrubText(value, tokens);
    if (masked === value) continue;
    try {
      headers.set(name, masked);
    } catch {
      clean = false;
    }
  }
  return clean;
}

/** A masked copy of `headers`. */
function maskedCopy(headers: Headers, tokens: readonly string[]): Headers {
  return new Headers(
    [...headers].map(([name, value]): [string, string] => [name, scrubText(value, tokens)]),
  );
}

/** Rewrites every occurrence of `tokens` reachable from `root`; returns `root` itself. */
export function scrubTokens<T>(root: T, tokens: readonly string[]): T {
  const live = tokens.filter((token) => token.length >= 8);
  if (live.length === 0 || typeof root !== 'object' || root === null) return root;
  const seen = new WeakSet<object>();
  let nodes = 0;

  const visit = (node: object, depth: number): void => {
    if (seen.has(node) || depth > MAX_DEPTH || ++nodes > MAX_NODES) return;
    seen.add(node);
    if (ArrayBuffer.isView(node) || node instanceof ArrayBuffer) return;
    if (typeof Headers !== 'undefined' && node instanceof Headers) {
      scrubHeaders(node, live);
      return;
    }
    // A Response's headers cannot be changed (an API that echoed our token in a header, kept
    // on ky's HTTPError): the Response gets a masked copy as its own `headers`, which is
    // what `inspect` and a reader of `response.headers` see.
    if (typeof Response !== 'undefined' && node instanceof Response) {
      if (!scrubHeaders(node.headers, live)) {
        Object.defineProperty(node, 'headers', { value: maskedCopy(node.headers, live) });
      }
    }
    // Headers behind an accessor rather than an own property (a fetch Request's; got's
    // Options keeps them in a private field; loggers print them through the getter). Own
    // headers are met once, by the walk below.
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent
    if (!Object.hasOwn(node, 'headers') && 'headers' in node) {
      try {
        const headers = (node as { headers?: unknown }).headers;
        // Stryker disable next-line all: visiting a primitive throws into the catch below
        if (typeof headers === 'object' && headers !== null) visit(headers, depth + 1);
      } catch {
        // a throwing getter
      }
    }
    // Symbol keys too: Node's ClientRequest keeps its headers under Symbol(kOutHeaders),
    // and `inspect` prints enumerable symbol properties. Non-enumerable data properties as
    // well: `inspect(error, { showHidden: true })` prints got's request's `_request._header`.
    // Accessors are not called (they may compute, or throw).
    for (const key of Reflect.ownKeys(node)) {
      const descriptor = Object.getOwnPropertyDescriptor(node, key);
      // Stryker disable next-line all: an accessor's descriptor has no value to read anyway
      if (!descriptor || !('value' in descriptor)) continue;
      const { value } = descriptor;
      if (typeof value === 'string') {
        const clean = scrubText(value, live);
        // Stryker disable next-line all: writing an unchanged or read-only value changes nothing
        if (clean !== value && descriptor.writable) {
          try {
            (node as Record<PropertyKey, unknown>)[key] = clean;
          } catch {
            // a frozen object: leave it
          }
        }
      } else if (typeof value === 'object' && value !== null) {
        visit(value, depth + 1);
      }
    }
  };
  visit(root, 0);
  return root;
}
