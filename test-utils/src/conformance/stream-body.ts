/** A one-shot `ReadableStream` yielding `chunks`, for a suite body of kind `stream`. */
export function streamOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const pending = chunks.map((chunk) => new TextEncoder().encode(chunk));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pending.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}
