/**
 * Request data that can be sent only once: a Node stream (anything with `pipe`), a web
 * `ReadableStream`, or an async iterable. Its 401 goes back to the caller instead of a
 * replay that would send a half-read body.
 */
export function isOneShotData(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  return (
    typeof (data as { pipe?: unknown }).pipe === 'function' ||
    data instanceof ReadableStream ||
    Symbol.asyncIterator in data
  );
}
