/**
 * The simplest client that meets the conformance suite: global fetch driven by core's
 * request policy. It proves the suite itself (the real adapters run the same suite), and
 * shows adapter authors the whole translation in one place.
 */
import { createRequestPolicy, recordHeaders } from '@m2m-auth/core/adapter';
import type { ConformanceBody, MakeClient } from '../src/conformance/index.ts';

/** A fresh native body per attempt; `replayable: false` for a one-shot stream. */
function nativeBody(body: ConformanceBody | undefined): {
  init: BodyInit | undefined;
  replayable: boolean;
} {
  if (!body) return { init: undefined, replayable: true };
  switch (body.kind) {
    case 'json':
      return { init: JSON.stringify(body.value), replayable: true };
    case 'urlencoded':
      return { init: new URLSearchParams(body.value), replayable: true };
    case 'formdata': {
      const form = new FormData();
      for (const [k, v] of Object.entries(body.value)) form.set(k, v);
      return { init: form, replayable: true };
    }
    case 'stream': {
      const encoder = new TextEncoder();
      const chunks = [...body.chunks];
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(encoder.encode(next));
        },
      });
      return { init: stream, replayable: false };
    }
  }
}

export const referenceClient: MakeClient = ({ provider, origins }) => {
  const policy = createRequestPolicy(provider, { origins }, { adapter: 'referenceClient' });
  return async ({ method = 'GET', url, headers = {}, body, signal }) => {
    const { replayable } = nativeBody(body);
    const exchange = await policy.begin({
      url,
      method,
      authorization: headers['authorization'],
      signal,
      resendable: replayable,
    });
    for (let target = url, redirects = 0; ; ) {
      const { init } = nativeBody(body);
      const ours: Record<string, string> = {};
      exchange?.apply(recordHeaders(ours));
      const res = await fetch(target, {
        method,
        headers: { ...headers, ...ours },
        ...(init === undefined ? {} : { body: init, duplex: 'half' }),
        ...(signal ? { signal } : {}),
        redirect: 'manual',
      } as RequestInit);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && redirects++ < 5) {
        const next = new URL(location, target).href;
        exchange?.redirect(target, next, recordHeaders(ours));
        target = next;
        await res.body?.cancel();
        continue;
      }
      // Core reads every answer (a DPoP server's nonce too) and says whether to replay.
      const replay = await exchange?.answer(res.status, (name) => res.headers.get(name));
      if (!replay) return { status: res.status, body: await res.text() };
      await res.body?.cancel();
    }
  };
};
