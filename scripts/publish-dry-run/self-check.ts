/**
 * The check checked: copies of a real package (built), each broken one way, must fail it,
 * and an intact copy must pass. Runs with every dry run, so a check that stopped seeing a
 * broken `files` list fails `npm test` itself.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPackages, readManifest, type Workspace } from './check-packages.ts';
import type { Manifest } from './package-problems.ts';

type Editable = Record<string, unknown>;

interface Case {
  name: string;
  /** How the copy is broken, for the report. */
  broken: string;
  change: (manifest: Editable) => void;
  /** Each must match one of the problems found; none means the copy must pass. */
  expect: RegExp[];
}

const CASES: Case[] = [
  { name: 'intact', broken: '', change: () => {}, expect: [] },
  {
    name: 'dist-left-out',
    broken: 'dist/ left out of files',
    change: (manifest) => {
      manifest['files'] = ['src'];
    },
    expect: [/exports\["\."\]\["types"\] points to \.\/dist\/index\.d\.ts, which is not/],
  },
  {
    name: 'no-files-list',
    broken: 'no files list',
    change: (manifest) => {
      delete manifest['files'];
    },
    expect: [/ships a test: test\//, /ships build state: tsconfig\.tsbuildinfo/],
  },
  {
    name: 'bin-missing',
    broken: 'a bin that is not built',
    change: (manifest) => {
      manifest['bin'] = { 'fetch-auth': './dist/bin.js' };
    },
    expect: [/bin\["fetch-auth"\] points to \.\/dist\/bin\.js, which is not/],
  },
  {
    name: 'no-metadata',
    broken: 'no repository, homepage or bugs',
    change: (manifest) => {
      delete manifest['repository'];
      delete manifest['homepage'];
      delete manifest['bugs'];
    },
    expect: [/repository should be/, /homepage should be/, /bugs should be/],
  },
];

/**
 * Copies `source` (a package folder under `root`) once per case into `scratch` and checks the
 * copies; returns what the check failed to notice (empty when it noticed everything) and a
 * sentence for the report.
 */
export async function selfCheck(
  source: string,
  scratch: string,
  repository: string,
): Promise<{ failures: string[]; summary: string }> {
  const original = readManifest(join(source, 'package.json')) as unknown as Editable;
  const copy = (parent: string, name: string, change: (manifest: Editable) => void): Workspace => {
    const directory = join(parent, name);
    const dependencies = join(source, 'node_modules');
    cpSync(source, directory, {
      recursive: true,
      filter: (path) => !path.startsWith(dependencies),
    });
    const manifest: Editable = structuredClone(original);
    manifest['name'] = `@publish-self-check/${name}`;
    manifest['repository'] = { type: 'git', url: repository, directory: name };
    change(manifest);
    writeFileSync(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return { directory: name, manifest: manifest as unknown as Manifest };
  };

  const workspaceRoot = join(scratch, 'workspaces');
  mkdirSync(workspaceRoot, { recursive: true });
  const workspaces = CASES.map((each) => copy(workspaceRoot, each.name, each.change));
  writeFileSync(
    join(workspaceRoot, 'package.json'),
    JSON.stringify({
      name: 'publish-self-check',
      private: true,
      workspaces: CASES.map((c) => c.name),
    }),
  );
  // A dry run npm itself refuses (an invalid version), on its own: npm stops at the first.
  const standaloneRoot = join(scratch, 'standalone');
  mkdirSync(standaloneRoot, { recursive: true });
  const failing = copy(standaloneRoot, 'invalid-version', (manifest) => {
    manifest['version'] = '1.0';
  });

  const [all, alone] = await Promise.all([
    checkPackages(workspaceRoot, scratch, ['--workspaces'], workspaces, repository),
    checkPackages(join(standaloneRoot, 'invalid-version'), scratch, [], [failing], repository),
  ]);
  const failures: string[] = [];
  for (const each of CASES) {
    const prefix = `@publish-self-check/${each.name}: `;
    const found = all.problems.filter((problem) => problem.startsWith(prefix));
    if (each.expect.length === 0 && found.length > 0) {
      failures.push(`an intact copy failed the check: ${found.join('; ')}`);
    }
    for (const expected of each.expect) {
      if (!found.some((problem) => expected.test(problem))) {
        failures.push(`a copy with ${each.broken} passed the check (no problem like ${expected})`);
      }
    }
  }
  const unexpected = all.problems.filter((problem) => !problem.startsWith('@publish-self-check/'));
  failures.push(...unexpected.map((problem) => `self-check dry run: ${problem}`));
  if (!alone.problems.some((problem) => problem.startsWith('npm publish --dry-run failed'))) {
    failures.push('a dry run npm refused (invalid version) passed the check');
  }
  const broken = [
    ...CASES.filter((each) => each.broken).map((each) => each.broken),
    'a version npm refuses',
  ];
  return {
    failures,
    summary: `${broken.length} broken copies of ${original['name']} fail (${broken.join('; ')}), an intact one passes`,
  };
}
