/**
 * Whether a request body can be sent again whole. Adapters report the body as their client
 * holds it; this is the one place that decides.
 */

/**
 * A body that is consumed by sending it: a web `ReadableStream` (of any realm), a Node stream
 * (anything with `pipe`), or any async iterable. Strings, buffers, `URLSearchParams`,
 * `FormData` and `Blob` are read anew on every send.
 */
export function isOneShotBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const stream = body as { pipe?: unknown; getReader?: unknown };
  return (
    typeof stream.pipe === 'function' ||
    typeof stream.getReader === 'function' ||
    Symbol.asyncIterator in body
  );
}
