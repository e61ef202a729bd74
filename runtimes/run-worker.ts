/**
 * workerd, through miniflare: the bundle is a Worker module, its config a binding, its result
 * the answer to one request. No nodejs_compat, as on a Worker that did not opt in.
 */
import { readFileSync } from 'node:fs';
import type { SmokeConfig, SmokeResult } from './smoke.ts';

const COMPATIBILITY_DATE = '2025-09-01';

export async function runWorker(
  file: string,
  config: SmokeConfig,
  timeoutMs: number,
): Promise<SmokeResult> {
  // Loaded here, not at the top: only this target needs miniflare.
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'smoke.mjs', contents: readFileSync(file, 'utf8') }],
    compatibilityDate: COMPATIBILITY_DATE,
    // No nodejs_compat: Node's APIs are not there, as on a Worker that did not opt in.
    compatibilityFlags: [],
    bindings: { M2M_SMOKE: config },
  });
  try {
    const res = await withTimeout(mf.dispatchFetch('http://smoke.invalid/'), timeoutMs);
    const text = await res.text();
    if (res.status !== 200)
      throw new Error(`the worker answered ${res.status}: ${text.slice(0, 2000)}`);
    return JSON.parse(text) as SmokeResult;
  } finally {
    await mf.dispose();
  }
}

function withTimeout<T>(promise: Promise<T>, msTimeout: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`timed out after ${msTimeout} ms`)), msTimeout);
    }),
  ]).finally(() => clearTimeout(timer));
}
