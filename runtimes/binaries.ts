/**
 * Where each runtime's binary comes from (all npm packages, so `npm install` is the whole
 * setup), and what happens when one is missing: a loud skip locally, a failure under CI=true.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { bin, root } from './paths.ts';
import type { Outcome } from './report.ts';

/** A working binary and what its `--version` says, or why there is none. */
export type Located = { binary: string; version: string } | { missing: string };

// A CI run that skips a runtime would pass without having tested it.
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

const require = createRequire(import.meta.url);

/** Deno's platform packages name CPUs as Node does (x64, arm64); Bun's say aarch64. */
const archName = () => process.arch;
const bunArch = () => (process.arch === 'arm64' ? 'aarch64' : process.arch);

const firstLine = (error: unknown) =>
  String(error instanceof Error ? error.message : error).split('\n')[0];

/** The harness's own Node: npm scripts run it under the Node 24 devDependency. */
export async function locateNode24(): Promise<Located> {
  const version = process.version;
  return version.startsWith('v24.')
    ? { binary: process.execPath, version }
    : { missing: `run.ts must run under Node 24 (npm scripts do), not ${version}` };
}

/**
 * Node 22 cannot be a devDependency next to Node 24: both `node` packages link
 * `node_modules/.bin/node`, and the last one linked would run every npm script. So, like
 * scripts/pack-smoke.ts, it is installed from the npm registry into a cache folder of its own
 * (kept under node_modules/.cache, so `npm ci` starts it afresh).
 */
export async function locateNode22(): Promise<Located> {
  const dir = bin('.cache/m2m-auth-runtimes/node22');
  const binary = join(dir, 'node_modules/node/bin/node');
  const version = () => execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  try {
    if (existsSync(binary) && version().startsWith('v22.')) return { binary, version: version() };
  } catch {
    // reinstall below
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'node22-cache', private: true, allowScripts: { node: true } }),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', 'node@22'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 180_000,
    });
    const v = version();
    return v.startsWith('v22.') ? { binary, version: v } : { missing: `installed ${v}, not 22` };
  } catch (error) {
    return { missing: `npm install node@22 failed: ${firstLine(error)}` };
  }
}

/**
 * The `bun` package's postinstall moves the binary into bun/bin/bun.exe; without it (npm
 * blocking install scripts), it is still in the platform package.
 */
export const locateBun = (): Promise<Located> =>
  firstWorking(
    [
      bin('bun/bin/bun.exe'),
      bin(`@oven/bun-${process.platform}-${bunArch()}/bin/bun`),
      bin(`@oven/bun-${process.platform}-${bunArch()}-baseline/bin/bun`),
    ],
    (out) => `bun ${out}`,
    'the `bun` devDependency (npm install) ships it in @oven/bun-<platform>',
  );

export const locateDeno = (): Promise<Located> =>
  firstWorking(
    [
      bin('deno/deno'),
      bin(`@deno/${process.platform}-${archName()}-glibc/deno`),
      bin(`@deno/${process.platform}-${archName()}/deno`),
    ],
    (out) => out.split('\n')[0] ?? out,
    'the `deno` devDependency (npm install) ships it in @deno/<platform>',
  );

/** The binary miniflare will start: the workerd package resolves its platform package. */
export async function locateWorkerd(): Promise<Located> {
  let binary: string;
  try {
    binary = (require('workerd') as { default: string }).default;
  } catch (error) {
    return { missing: `the workerd package (miniflare's) did not load: ${firstLine(error)}` };
  }
  return firstWorking(
    [binary],
    (out) => out,
    'miniflare depends on workerd, which ships @cloudflare/workerd-<platform>',
  );
}

async function firstWorking(
  candidates: string[],
  label: (out: string) => string,
  hint: string,
): Promise<Located> {
  for (const binary of candidates) {
    if (!existsSync(binary)) continue;
    try {
      const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 });
      return { binary, version: label(out.trim()) };
    } catch {
      // a placeholder or a binary for another CPU: try the next
    }
  }
  return {
    missing: `no working binary in ${candidates.map((c) => relative(root, c)).join(', ')}; ${hint}`,
  };
}

/** The outcome of a runtime with no binary: skipped here, failed under CI=true. */
export function skip(target: string, why: string, elapsed: number): Outcome {
  const bar = '!'.repeat(78);
  if (CI) {
    console.error(
      `\n${bar}\nFAILED ${target}: runtime not available under CI=true: ${why}\n${bar}\n`,
    );
    return { target, version: '-', status: 'failed', ms: elapsed, problems: [why] };
  }
  console.error(
    `\n${bar}\nSKIPPED ${target}: runtime not available on this machine: ${why}\n` +
      `(under CI=true this is a failure)\n${bar}\n`,
  );
  return { target, version: '-', status: 'skipped', ms: elapsed, problems: [why] };
}
