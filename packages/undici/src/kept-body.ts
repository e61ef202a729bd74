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

/** A body sent again as it is, or one core judges. */
class AsItIs implements KeptBody {
  readonly first: unknown;
  constructor(body: unknown) {
    this.first = body;
  }
  resendable() {
    return undefined;
  }
  again() {
    return this.first;
  }
}

/** A streamed body through a copy that keeps its bytes, up to `maxBytes`. */
class Keeping implements KeptBody {
  readonly first: AsyncGenerator<Uint8Array>;
  #chunks: Uint8Array[] | undefined = [];
  #whole = false;
  constructor(body: AsyncIterable<unknown>, maxBytes: number) {
    this.first = this.#keep(body, maxBytes);
  }
  async *#keep(body: AsyncIterable<unknown>, maxBytes: number) {
    let size = 0;
    for await (const chunk of body) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      size += bytes.byteLength;
      if (size > maxBytes) this.#chunks = undefined;
      this.#chunks?.push(bytes);
      yield bytes;
    }
    this.#whole = true;
  }
  resendable() {
    return this.#whole && this.#chunks !== undefined;
  }
  again() {
    return Buffer.concat(this.#chunks ?? []);
  }
}

export function keptBody(body: unknown, keep: boolean, maxBytes: number): KeptBody {
  return keep && isStreamed(body) ? new Keeping(body, maxBytes) : new AsItIs(body);
}
