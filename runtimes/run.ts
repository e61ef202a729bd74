/**
 * `npm run test:runtimes`: @m2m-auth/core, @m2m-auth/fetch and @m2m-auth/ky on every runtime
 * they claim (issue 10). Runs under Node 24 with `--conditions=@m2m-auth/source` (for
 * test-utils only; the code under test is the built `dist/`).
 *
 *   1. `tsc -b` the three packages (and type-check runtimes/), then bundle `runtimes/smoke.ts`
 *      with esbuild once per target, from the packages' `dist/` as users get them (checked in
 *      the metafile), with `node:*` left external so that the runtime itself has to refuse
 *      it (build-and-bundle.ts).
 *   2. Start the test-utils authorization server (with a private_key_jwt client), the
 *      resource server and a tiny control endpoint (`POST /revoke-all`) on 127.0.0.1
 *      (servers.ts).
 *   3. Run the bundle on Node 24, Node 22, Bun, Deno and workerd (miniflare, no
 *      nodejs_compat), one after the other, with the servers' URLs in `M2M_SMOKE` (an env
 *      var, or a Worker binding) (targets.ts, binaries.ts, run-target.ts, run-worker.ts).
 *   4. Check the JSON each prints (or answers) AND the servers' own records: token requests
 *      per phase, client auth method, statuses seen by the API, 401s and replays
 *      (check-records.ts).
 *
 * A runtime whose binary is missing is skipped with a loud message, or fails under CI=true.
 * Options: `--only node24,deno`, `--inject <file>` (bundle an extra module into every target,
 * e.g. a scratch module using `node:crypto`, to see the suite fail), `--keep` (keep bundles),
 * `--no-build` (use the `dist/` there is).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { skip } from './binaries.ts';
import { build, bundle } from './build-and-bundle.ts';
import { checkRecords } from './check-records.ts';
import { ms, type Outcome, report, summarize } from './report.ts';
import { runTarget } from './run-target.ts';
import { type Servers, startServers } from './servers.ts';
import type { SmokeResult } from './smoke.ts';
import { selectTargets } from './targets.ts';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    inject: { type: 'string', multiple: true },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  const started = performance.now();
  const targets = selectTargets(args.only);

  // 1. Build, then bundle.
  let t = performance.now();
  if (!args['no-build'] && !build()) {
    console.error('runtimes: the build or type-check failed (above); nothing was run.');
    console.log('runtimes: 0 passed, 1 failed, 0 skipped');
    return 1;
  }
  const outDir = mkdtempSync(join(tmpdir(), 'm2m-auth-runtimes-'));
  const bundles = new Map<string, string>();
  const bundleProblems: string[] = [];
  for (const target of targets) {
    const { file, problems } = await bundle(target, outDir, args.inject ?? []);
    bundles.set(target.name, file);
    bundleProblems.push(...problems.map((p) => `${target.name} bundle: ${p}`));
  }
  console.log(
    `built and bundled in ${ms(performance.now() - t)} (${[...new Set(bundleProblems)].length} bundle problems) -> ${outDir}`,
  );

  // 2. Servers.
  const servers = await startServers();

  // 3 and 4. Each runtime, one after the other, against fresh records.
  const outcomes: Outcome[] = [];
  try {
    for (const target of targets) {
      t = performance.now();
      const located = await target.locate();
      if ('missing' in located) {
        outcomes.push(skip(target.name, located.missing, performance.now() - t));
        continue;
      }
      servers.reset();
      const file = bundles.get(target.name) as string;
      const problems = bundleProblems.filter((p) => p.startsWith(`${target.name} `));
      let result: SmokeResult | undefined;
      try {
        result = await runTarget(target, located.binary, file, servers.config);
      } catch (error) {
        problems.push(`did not run: ${String(error instanceof Error ? error.message : error)}`);
      }
      if (result) problems.push(...resultProblems(result, servers));
      const outcome: Outcome = {
        target: target.name,
        version: located.version,
        status: problems.length === 0 ? 'passed' : 'failed',
        ms: performance.now() - t,
        problems,
        ...(result ? { summary: summary(result, servers) } : {}),
      };
      outcomes.push(outcome);
      report(outcome);
    }
  } finally {
    await servers.close();
    if (args.keep) console.log(`bundles kept in ${outDir}`);
    else rmSync(outDir, { recursive: true, force: true });
  }

  return summarize(outcomes, performance.now() - started);
}

/**
 * A failed step explains the server-record mismatches that follow from it: show it first,
 * and the mismatches only while they are few.
 */
function resultProblems(result: SmokeResult, { auth, api, control, config }: Servers): string[] {
  const stepErrors = result.steps.filter((s) => !s.ok).map((s) => `step ${s.name}: ${s.error}`);
  const records = checkRecords(result, auth, api, control.revokes, config);
  if (stepErrors.length === 0 || records.length <= 3) return [...stepErrors, ...records];
  return [...stepErrors, `(and ${records.length} server-record checks that follow from these)`];
}

const summary = (result: SmokeResult, { auth, api }: Servers) =>
  `${result.steps.length} steps, ${auth.stats.total} token requests, ${api.counters.total} API calls (${api.counters.unauthorized} answered 401)`;

process.exitCode = await main();
