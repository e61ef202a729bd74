/**
 * One dry run over a set of packages, judged: npm's own failure, a package npm did not
 * pack, a dry-run notice missing or naming another registry, and each tarball against its
 * package.json (package-problems.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOWHERE, npmDryRun, type Packed } from './npm-dry-run.ts';
import { type Manifest, packageProblems } from './package-problems.ts';

export interface Workspace {
  /** Relative to the repository root, as `repository.directory` says it. */
  directory: string;
  manifest: Manifest;
}

export interface Checked {
  problems: string[];
  packed: Map<string, Packed>;
  warnings: string[];
}

export const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8'));

/** The public workspaces of the root at `root` (globs of the form `dir` or `dir/*`). */
export function publicWorkspaces(root: string, globs: string[]): Workspace[] {
  const directories = globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [glob];
    const parent = glob.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
  return directories
    .map((directory) => ({
      directory,
      manifest: readManifest(join(root, directory, 'package.json')),
    }))
    .filter(({ manifest }) => !manifest.private);
}

/** `args`: how npm finds the packages from `cwd` (`--workspaces`, or nothing for one package). */
export async function checkPackages(
  cwd: string,
  scratch: string,
  args: string[],
  workspaces: Workspace[],
  repository: string,
): Promise<Checked> {
  const run = await npmDryRun(cwd, scratch, args);
  const problems: string[] = [];
  if (run.error !== undefined) problems.push(`npm publish --dry-run failed: ${run.error}`);
  for (const registry of new Set([...run.withoutCredentials, ...run.dryRunNotices])) {
    if (registry !== NOWHERE) problems.push(`npm would have published to ${registry}`);
  }
  if (run.packed.size > 0 && run.dryRunNotices.length === 0) {
    problems.push('npm did not say it was a dry run');
  }
  if (run.withoutCredentials.length !== run.packed.size) {
    problems.push(
      `npm confirmed a dry run without credentials ${run.withoutCredentials.length} times for ${run.packed.size} packages`,
    );
  }
  for (const { directory, manifest } of workspaces) {
    const packed = run.packed.get(manifest.name);
    if (packed === undefined) {
      if (run.error === undefined) problems.push(`${manifest.name}: npm packed nothing`);
      continue;
    }
    for (const problem of packageProblems(manifest, packed.files, directory, repository)) {
      problems.push(`${manifest.name}: ${problem}`);
    }
  }
  return { problems, packed: run.packed, warnings: run.warnings };
}
