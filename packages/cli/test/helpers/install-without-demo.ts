/**
 * The CLI as `npx -p @m2m-auth/cli` installs it: its source next to a `node_modules` that
 * holds its dependencies (core, fetch, jose) and nothing else, in a scratch directory outside
 * the repository, so none of the demo's packages (test-utils, the other adapters, axios, got,
 * ky) can be found from it.
 */
import { cp, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../..', import.meta.url));
const REPO = join(CLI, '..', '..');

/** Where each dependency lives in this repository: the workspaces, and jose as installed. */
async function dependencyDirs(): Promise<Record<string, string>> {
  const jose = createRequire(join(CLI, 'package.json')).resolve('jose/package.json');
  return {
    '@m2m-auth/core': join(REPO, 'packages', 'core'),
    '@m2m-auth/fetch': join(REPO, 'packages', 'fetch'),
    jose: await realpath(dirname(jose)),
  };
}

export async function installWithoutDemo(): Promise<{
  bin: string;
  dir: string;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'm2m-auth-cli-alone-'));
  const root = join(dir, 'cli');
  await cp(join(CLI, 'src'), join(root, 'src'), { recursive: true });
  await cp(join(CLI, 'package.json'), join(root, 'package.json'));
  for (const [name, target] of Object.entries(await dependencyDirs())) {
    const link = join(root, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(target, link, 'dir');
  }
  return {
    bin: join(root, 'src', 'bin.ts'),
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
