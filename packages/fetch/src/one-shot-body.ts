/**
 * A body that can be sent only once: a `ReadableStream`, or an async iterable such as a
 * Node `Readable` (undici accepts both). Strings, `URLSearchParams`, `FormData`, `Blob` and
 * buffers are re-read on every send, so a replay sends them whole.
 */
export function isOneShotBody(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body instanceof ReadableStream || Symbol.asyncIterator in body)
  );
}
