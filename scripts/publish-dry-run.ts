/**
 * `npm run check:publish`: `npm publish --dry-run` of every public package, so a `files`
 * list that leaves out what the package points to fails `npm test`, not a release. Each
 * tarball npm would upload is checked against its package.json: every file `exports`,
 * `bin`, `main` and `types` name is in it, a README and a LICENSE too, no tests and no
 * `.tsbuildinfo`; `repository` (with the package's `directory`), `homepage` and `bugs`
 * lead to the repository the root package.json names, the one place it is written.
 *
 * It never publishes: a dry run without credentials, to a registry nobody listens on
 * (publish-dry-run/npm-dry-run.ts). Alongside, a self-check: copies of @m2m-auth/fetch,
 * each broken one way, must fail the same check (publish-dry-run/self-check.ts).
 * Needs the built `dist/` (`tsc -b`, which `npm test` runs first).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPackages, publicWorkspaces } from './publish-dry-run/check-packages.ts';
import { NOWHERE } from './publish-dry-run/npm-dry-run.ts';
import { selfCheck } from './publish-dry-run/self-check.ts';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const rootManifest: { workspaces: string[]; repository: { url: string } } = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
);
const repository = rootManifest.repository.url;
const workspaces = publicWorkspaces(root, rootManifest.workspaces);
const scratch = mkdtempSync(join(tmpdir(), 'm2m-auth-publish-'));

try {
  const [real, check] = await Promise.all([
    checkPackages(root, scratch, ['--workspaces'], workspaces, repository),
    selfCheck(join(root, 'packages', 'fetch'), scratch, repository),
  ]);
  for (const { manifest } of workspaces) {
    const packed = real.packed.get(manifest.name);
    if (packed) {
      const kB = (packed.size / 1000).toFixed(1);
      console.log(
        `${manifest.name.padEnd(22)} ${String(packed.files.length).padStart(4)} files ${kB.padStart(7)} kB`,
      );
    }
  }
  for (const warning of new Set(real.warnings)) console.log(`  (${warning})`);
  const problems = [...real.problems, ...check.failures.map((failure) => `self-check: ${failure}`)];
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    console.error(`publish dry run: ${problems.length} problem(s)`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
  } else {
    console.log(`self-check: ${check.summary}`);
    console.log(
      `publish dry run (registry ${NOWHERE}, no credentials): ${workspaces.length} packages ok (${seconds} s)`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
