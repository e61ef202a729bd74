/**
 * Step 1: build the packages, then bundle the smoke once per target from their `dist/`, as
 * users get them. The metafile is checked so that a bundle made from sources, or with a
 * `node:` import in it, fails even on a runtime that would happen to accept it.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { bin, root } from './paths.ts';
import type { Flavor, Target } from './targets.ts';

const ENTRIES: Record<Flavor, string> = {
  cli: 'entry-cli.ts',
  deno: 'entry-deno.ts',
  worker: 'entry-worker.ts',
};

/** `tsc -b` the three packages and type-check runtimes/; false if any of it failed. */
export function build(): boolean {
  try {
    const tsc = (...argv: string[]) =>
      execFileSync(bin('.bin/tsc'), argv, { cwd: root, stdio: 'inherit' });
    tsc('-b', 'packages/core', 'packages/fetch', 'packages/ky');
    // The smoke against the built .d.ts with no Node types; this harness against Node's.
    tsc('-p', 'runtimes/tsconfig.json');
    tsc('-p', 'runtimes/tsconfig.harness.json');
    return true;
  } catch {
    return false;
  }
}

/** `inject`: extra modules bundled into every target (`--inject`, to see the suite fail). */
export async function bundle(
  target: Target,
  outDir: string,
  inject: string[],
): Promise<{ file: string; problems: string[] }> {
  const file = join(outDir, `smoke-${target.name}.mjs`);
  const result = await esbuild.build({
    entryPoints: [join(import.meta.dirname, ENTRIES[target.flavor])],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: target.conditions,
    mainFields: ['module', 'main'],
    // Left for the runtime to refuse: a `node:` import must fail where Node is not.
    external: ['node:*'],
    inject: inject.map((f) => resolve(f)),
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const problems: string[] = [];
  const inputs = Object.keys(result.metafile.inputs);
  for (const pkg of ['core', 'fetch', 'ky']) {
    if (
      !inputs.some(
        (i) => i.startsWith(`packages/${pkg}/dist/`) || i.includes(`@m2m-auth/${pkg}/dist/`),
      )
    ) {
      problems.push(`@m2m-auth/${pkg} was not bundled from its dist/`);
    }
  }
  const fromSource = inputs.filter((i) => /packages\/[^/]+\/src\//.test(i));
  if (fromSource.length > 0) problems.push(`bundled package sources, not dist: ${fromSource[0]}`);
  const testUtils = inputs.filter((i) => i.includes('test-utils'));
  if (testUtils.length > 0) problems.push(`test-utils got into the bundle: ${testUtils[0]}`);
  for (const [input, info] of Object.entries(result.metafile.inputs)) {
    for (const imp of info.imports) {
      if (imp.external && imp.path.startsWith('node:')) {
        problems.push(`${input} imports ${imp.path}`);
      }
    }
  }
  return { file, problems };
}
