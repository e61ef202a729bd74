/**
 * A request body and what a replay could send again. Node's fetch hands the dispatcher every
 * body, a string included, as an async iterable: its bytes are kept as they go out, up to a
 * bound, and a replay sends them only if the whole body went and fitted. A Node stream goes
 * as it is (core judges it one-shot); strings, buffers and FormData are sent again as they are.
 */

export interface KeptBody {
  /** The body for the first attempt: the caller's, or a copy that keeps its bytes. */
  readonly first: unknown;
  /** At the answer: whether the kept bytes are the whole body; `undefined`: core judges it. */
  resendable(): boolean | undefined;
  /** The body for a replay. */
  again(): unknown;
}

/** A body sent by iterating it (fetch's, a web stream, a generator), not a Node stream. */
export function isStreamed(body: unknown): body is AsyncIterable<unknown> {
  if (typeof body !== 'object' || body === null) return false;
  if (typeof (body as { pipe?: unknown }).pipe === 'function') return false;
  return Symbol.asyncIterator in body || typeof (body as { next?: unknown }).next === 'function';
}

const bytesOf = (chunk: unknown): Uint8Array =>
  typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);

export function keptBody(body: unknown, keep: boolean | undefined, maxBytes: number): KeptBody {
  if (!keep || !isStreamed(body)) {
    return { first: body, resendable: () => undefined, again: () => body };
  }
  let chunks: Uint8Array[] | undefined = [];
  let size = 0;
  let whole = false;
  async function* keeping() {
    for await (const chunk of body as AsyncIterable<unknown>) {
      const bytes = bytesOf(chunk);
      size += bytes.byteLength;
      if (size > maxBytes) chunks = undefined;
      chunks?.push(bytes);
      yield bytes;
    }
    whole = true;
  }
  return {
    first: keeping(),
    resendable: () => whole && chunks !== undefined,
    again: () => Buffer.concat(chunks ?? []),
  };
}
