/**
 * `npm publish --dry-run --json`, made unable to publish whatever else is set: `--dry-run`
 * on the command line and in the environment; empty user and global npmrc files, and the
 * environment without npm settings, tokens or the CI variables npm's OIDC login reads, so
 * there are no credentials; a registry nobody listens on; `--force`, so npm does not ask the
 * registry for published versions either (no network at all). `--ignore-scripts`: our
 * packages have no lifecycle scripts (`npm run release` builds first), and a dry run should
 * run nothing of theirs. npm's own words that it was a dry run are counted too.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The discard port on loopback: nothing answers there. */
export const NOWHERE = 'http://127.0.0.1:9/';

const DROPPED = [
  /^npm_(config|package|lifecycle)_/i,
  /^(NPM_TOKEN|NODE_AUTH_TOKEN|NPM_ID_TOKEN|GITHUB_ACTIONS|GITLAB_CI|CIRCLECI)$/i,
  /^ACTIONS_ID_TOKEN_REQUEST_/i,
];

/** What npm would have uploaded for one package. */
export interface Packed {
  files: string[];
  size: number;
}

export interface DryRun {
  /** By package name; missing for a package npm skipped or did not reach. */
  packed: Map<string, Packed>;
  /** npm's error summary when the dry run failed. */
  error?: string;
  /**
   * The registry of each "requires you to be logged in to <registry> (dry-run)" warning: npm
   * prints one per package it got to without credentials in a dry run.
   */
  withoutCredentials: string[];
  /** The registry of each "Publishing to <registry> ... (dry-run)" notice (npm may print one). */
  dryRunNotices: string[];
  /** npm's warnings, less the ones every credential-free dry run prints. */
  warnings: string[];
}

const NOISE = [/requires you to be logged in/, /using --force/];

/**
 * Runs the dry run in `cwd` (`--workspaces` for every workspace there). `scratch` is a
 * directory for the empty npmrc files.
 */
export async function npmDryRun(cwd: string, scratch: string, args: string[]): Promise<DryRun> {
  const userconfig = join(scratch, 'user.npmrc');
  const globalconfig = join(scratch, 'global.npmrc');
  writeFileSync(userconfig, '');
  writeFileSync(globalconfig, '');
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !DROPPED.some((drop) => drop.test(name))),
  );
  env['npm_config_dry_run'] = 'true';
  const { stdout, stderr, failed } = await new Promise<{
    stdout: string;
    stderr: string;
    failed: boolean;
  }>((resolve) => {
    execFile(
      'npm',
      [
        'publish',
        '--dry-run',
        '--json',
        '--force',
        '--ignore-scripts',
        `--registry=${NOWHERE}`,
        '--fetch-retries=0',
        `--userconfig=${userconfig}`,
        `--globalconfig=${globalconfig}`,
        '--no-update-notifier',
        ...args,
      ],
      { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ stdout, stderr, failed: error !== null }),
    );
  });

  const json = parseJson(stdout);
  const packed = new Map<string, Packed>();
  for (const [name, value] of Object.entries(json)) {
    if (name === 'error' || !isTarball(value)) continue;
    packed.set(name, { files: value.files.map((file) => file.path), size: value.size });
  }
  const lines = stderr.split('\n');
  const registries = (pattern: RegExp) =>
    lines.flatMap((line) => {
      const match = pattern.exec(line);
      return match?.[1] ? [match[1]] : [];
    });
  const withoutCredentials = registries(/requires you to be logged in to (\S+) \(dry-run\)$/);
  const dryRunNotices = registries(/^npm notice Publishing to (\S+) .*\(dry-run\)$/);
  const warnings = lines.filter(
    (line) => /^npm (warn|error)/.test(line) && !NOISE.some((noise) => noise.test(line)),
  );
  const result: DryRun = { packed, withoutCredentials, dryRunNotices, warnings };
  const summary = errorSummary(json);
  if (failed || summary !== undefined) {
    result.error = summary ?? (warnings.join('\n') || `npm exited with an error in ${cwd}`);
  }
  return result;
}

function parseJson(stdout: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(stdout);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function isTarball(value: unknown): value is { files: { path: string }[]; size: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { files?: unknown }).files) &&
    typeof (value as { size?: unknown }).size === 'number'
  );
}

function errorSummary(json: Record<string, unknown>): string | undefined {
  const error = json['error'];
  if (typeof error !== 'object' || error === null) return undefined;
  const summary = (error as { summary?: unknown }).summary;
  return typeof summary === 'string' ? summary : JSON.stringify(error);
}
