/**
 * Timers and sockets created during a stretch of tests, followed until they are gone.
 * `process.getActiveResourcesInfo()` only counts, and its timer count missed a timer leaked
 * on purpose, so this follows each handle from its creation (async_hooks `init`) to its end
 * (`destroy`) instead; an unref'd one does not keep a process alive and does not count.
 */
import { createHook } from 'node:async_hooks';

const TRACKED = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP']);

interface Handle {
  hasRef?: () => boolean;
  _destroyed?: boolean;
}

export interface HandleTracker {
  /** Handles created from now on are no longer followed (those already followed still are). */
  stopRecording(): void;
  /** Types of the followed handles still open and keeping the process alive. */
  open(): string[];
  disable(): void;
}

export function trackHandles(): HandleTracker {
  const live = new Map<number, { type: string; handle: Handle }>();
  let recording = true;
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (recording && TRACKED.has(type)) live.set(id, { type, handle: resource as Handle });
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return {
    stopRecording() {
      recording = false;
    },
    open: () =>
      [...live.values()]
        .filter(({ handle }) => !handle._destroyed && (handle.hasRef?.() ?? true))
        .map(({ type }) => type),
    disable() {
      hook.disable();
      live.clear();
    },
  };
}
