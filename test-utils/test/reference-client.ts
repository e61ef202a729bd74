/**
 * The simplest client that meets the conformance suite: global fetch driven by core's
 * request policy. It proves the suite itself (the real adapters run the same suite), and
 * shows adapter authors the whole translation in one place.
 */
import { createRequestPolicy } from '@m2m-auth/core';
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
    let target = url;
    let auth = await policy.authorize({
      url,
      method,
      hasAuthorization: 'authorization' in headers,
      signal,
    });
    for (let attempt = 0, redirects = 0; ; ) {
      const { init, replayable } = nativeBody(body);
      const res = await fetch(target, {
        method,
        headers: {
          ...headers,
          ...(auth ? { authorization: auth.header } : {}),
          ...(auth?.dpop ? { dpop: auth.dpop } : {}),
        },
        ...(init === undefined ? {} : { body: init, duplex: 'half' }),
        ...(signal ? { signal } : {}),
        redirect: 'manual',
      } as RequestInit);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && redirects++ < 5) {
        const next = new URL(location, target).href;
        if (auth && !policy.keepsTokenOnRedirect(target, next)) auth = undefined;
        target = next;
        await res.body?.cancel();
        continue;
      }
      const replay =
        replayable &&
        (await policy.replayAuthorization({
          status: res.status,
          sent: auth,
          replayed: attempt > 0,
          // A DPoP server's nonce challenge (and, on any other answer, its next nonce).
          ...policy.dpopAnswer(auth, res.status, (name) => res.headers.get(name)),
        }));
      if (!replay) return { status: res.status, body: await res.text() };
      await res.body?.cancel();
      auth = replay;
      attempt++;
    }
  };
};
