/**
 * The runtimes the packages claim, in the order they run: how each is bundled (`flavor`,
 * `conditions`) and where its binary comes from (binaries.ts).
 */
import {
  type Located,
  locateBun,
  locateDeno,
  locateNode22,
  locateNode24,
  locateWorkerd,
} from './binaries.ts';

/** Which entry a target is bundled from: how the config comes in and the result goes out. */
export type Flavor = 'cli' | 'deno' | 'worker';

export interface Target {
  name: string;
  flavor: Flavor;
  /** esbuild resolve conditions: what this runtime's own resolver (or its deploy tool) uses. */
  conditions: string[];
  /** The binary, or why there is none. */
  locate(): Promise<Located>;
}

export const TARGETS: Target[] = [
  { name: 'node24', flavor: 'cli', conditions: ['node'], locate: locateNode24 },
  { name: 'node22', flavor: 'cli', conditions: ['node'], locate: locateNode22 },
  { name: 'bun', flavor: 'cli', conditions: ['bun', 'node'], locate: locateBun },
  { name: 'deno', flavor: 'deno', conditions: ['deno', 'node'], locate: locateDeno },
  {
    name: 'workerd',
    flavor: 'worker',
    // What wrangler bundles a Worker with.
    conditions: ['workerd', 'worker', 'browser'],
    locate: locateWorkerd,
  },
];

/** `--only node24,deno`: the named targets, in run order; an unknown name is an error. */
export function selectTargets(only: string | undefined): Target[] {
  const names = only?.split(',').map((s) => s.trim());
  const targets = names ? TARGETS.filter((t) => names.includes(t.name)) : TARGETS;
  if (names && targets.length !== names.length) {
    throw new Error(`--only: unknown target in ${only} (${TARGETS.map((t) => t.name)})`);
  }
  return targets;
}
