/**
 * Whether a request body can be sent again whole. Adapters report the body as their client
 * holds it; this is the one place that decides. A transport that sends a streamed body by
 * iterating it (undici's dispatcher) can keep its bytes as they go (`keptBody`).
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

const encoder = new TextEncoder();

export interface KeptBody {
  /** The body for the first attempt: the caller's, or a copy that keeps its bytes. */
  readonly first: unknown;
  /** At the answer: whether the kept bytes are the whole body; `undefined`: core judges it. */
  resendable(): boolean | undefined;
  /** The body for a replay. */
  again(): unknown;
}

/**
 * A body sent by iterating it (Node's fetch hands its dispatcher every body so, a string
 * included; a web stream; a generator), not a Node stream: one a transport can keep the
 * bytes of as they go out.
 */
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
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : (chunk as Uint8Array);
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
    const chunks = this.#chunks ?? [];
    const whole = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0));
    let at = 0;
    for (const chunk of chunks) {
      whole.set(chunk, at);
      at += chunk.byteLength;
    }
    return whole;
  }
}

/**
 * The body to send, keeping a streamed one's bytes (up to `maxBytes`) when `keep` (the
 * exchange `mayReplay`): a replay sends them only if the whole body went and fitted.
 */
export function keptBody(body: unknown, keep: boolean, maxBytes: number): KeptBody {
  return keep && isStreamed(body) ? new Keeping(body, maxBytes) : new AsItIs(body);
}
