/**
 * `npm run test:runtimes`: @m2m-auth/core, @m2m-auth/fetch and @m2m-auth/ky on every runtime
 * they claim (issue 10). Runs under Node 24 with `--conditions=@m2m-auth/source` (for
 * test-utils only; the code under test is the built `dist/`).
 *
 *   1. `tsc -b` the three packages (and type-check runtimes/), then bundle `runtimes/smoke.ts` with esbuild once per
 *      target, from the packages' `dist/` as users get them (checked in the metafile), with
 *      `node:*` left external so that the runtime itself has to refuse it.
 *   2. Start the test-utils authorization server (with a private_key_jwt client), the
 *      resource server and a tiny control endpoint (`POST /revoke-all`) on 127.0.0.1.
 *   3. Run the bundle on Node 24, Node 22, Bun, Deno and workerd (miniflare, no
 *      nodejs_compat), one after the other, with the servers' URLs in `M2M_SMOKE` (an env
 *      var, or a Worker binding).
 *   4. Check the JSON each prints (or answers) AND the servers' own records: token requests
 *      per phase, client auth method, statuses seen by the API, 401s and replays.
 *
 * A runtime whose binary is missing is skipped with a loud message, or fails under CI=true.
 * Options: `--only node24,deno`, `--inject <file>` (bundle an extra module into every target,
 * e.g. a scratch module using `node:crypto`, to see the suite fail), `--keep` (keep bundles),
 * `--no-build` (use the `dist/` there is).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type AuthServer,
  DEFAULT_CLIENTS,
  generateClientKeys,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import * as esbuild from 'esbuild';
import { RESULT_PREFIX } from './protocol.ts';
import { METHOD_PHASES, type SmokeConfig, type SmokeResult, scopeOf } from './smoke.ts';

const root = resolve(import.meta.dirname, '..');
const here = import.meta.dirname;
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';
const RUN_TIMEOUT_MS = 90_000;
const CONCURRENCY = 50;
const COMPATIBILITY_DATE = '2025-09-01';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    inject: { type: 'string', multiple: true },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

type Flavor = 'cli' | 'deno' | 'worker';
interface Target {
  name: string;
  flavor: Flavor;
  /** esbuild resolve conditions: what this runtime's own resolver (or its deploy tool) uses. */
  conditions: string[];
  /** The binary, or why there is none. */
  locate(): Promise<{ binary: string; version: string } | { missing: string }>;
}

const require = createRequire(import.meta.url);
const bin = (path: string) => join(root, 'node_modules', path);

const TARGETS: Target[] = [
  {
    name: 'node24',
    flavor: 'cli',
    conditions: ['node'],
    async locate() {
      const version = process.version;
      return version.startsWith('v24.')
        ? { binary: process.execPath, version }
        : { missing: `run.ts must run under Node 24 (npm scripts do), not ${version}` };
    },
  },
  { name: 'node22', flavor: 'cli', conditions: ['node'], locate: locateNode22 },
  {
    name: 'bun',
    flavor: 'cli',
    conditions: ['bun', 'node'],
    // The `bun` package's postinstall moves the binary into bun/bin/bun.exe; without it (npm
    // blocking install scripts), it is still in the platform package.
    locate: () =>
      firstWorking(
        [
          bin('bun/bin/bun.exe'),
          bin(`@oven/bun-${process.platform}-${bunArch()}/bin/bun`),
          bin(`@oven/bun-${process.platform}-${bunArch()}-baseline/bin/bun`),
        ],
        (out) => `bun ${out}`,
        'the `bun` devDependency (npm install) ships it in @oven/bun-<platform>',
      ),
  },
  {
    name: 'deno',
    flavor: 'deno',
    conditions: ['deno', 'node'],
    locate: () =>
      firstWorking(
        [
          bin('deno/deno'),
          bin(`@deno/${process.platform}-${archName()}-glibc/deno`),
          bin(`@deno/${process.platform}-${archName()}/deno`),
        ],
        (out) => out.split('\n')[0] ?? out,
        'the `deno` devDependency (npm install) ships it in @deno/<platform>',
      ),
  },
  {
    name: 'workerd',
    flavor: 'worker',
    // What wrangler bundles a Worker with.
    conditions: ['workerd', 'worker', 'browser'],
    async locate() {
      let binary: string;
      try {
        // The binary miniflare will start: the workerd package resolves its platform package.
        binary = (require('workerd') as { default: string }).default;
      } catch (error) {
        return { missing: `the workerd package (miniflare's) did not load: ${firstLine(error)}` };
      }
      return firstWorking(
        [binary],
        (out) => out,
        'miniflare depends on workerd, which ships @cloudflare/workerd-<platform>',
      );
    },
  },
];

/** Deno's platform packages name CPUs as Node does (x64, arm64); Bun's say aarch64. */
const archName = () => process.arch;
const bunArch = () => (process.arch === 'arm64' ? 'aarch64' : process.arch);

async function firstWorking(
  candidates: string[],
  label: (out: string) => string,
  hint: string,
): Promise<{ binary: string; version: string } | { missing: string }> {
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

/**
 * Node 22 cannot be a devDependency next to Node 24: both `node` packages link
 * `node_modules/.bin/node`, and the last one linked would run every npm script. So, like
 * scripts/pack-smoke.ts, it is installed from the npm registry into a cache folder of its own
 * (kept under node_modules/.cache, so `npm ci` starts it afresh).
 */
async function locateNode22(): Promise<{ binary: string; version: string } | { missing: string }> {
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

// ---------------------------------------------------------------------------------------

interface Outcome {
  target: string;
  version: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  problems: string[];
  summary?: string;
}

async function main(): Promise<number> {
  const started = performance.now();
  const only = args.only?.split(',').map((s) => s.trim());
  const targets = only ? TARGETS.filter((t) => only.includes(t.name)) : TARGETS;
  if (only && targets.length !== only.length) {
    throw new Error(`--only: unknown target in ${args.only} (${TARGETS.map((t) => t.name)})`);
  }

  // 1. Build, then bundle.
  let t = performance.now();
  if (!args['no-build']) {
    try {
      const tsc = (...argv: string[]) =>
        execFileSync(bin('.bin/tsc'), argv, { cwd: root, stdio: 'inherit' });
      tsc('-b', 'packages/core', 'packages/fetch', 'packages/ky');
      // The smoke against the built .d.ts with no Node types; this harness against Node's.
      tsc('-p', 'runtimes/tsconfig.json');
      tsc('-p', 'runtimes/tsconfig.harness.json');
    } catch {
      console.error('runtimes: the build or type-check failed (above); nothing was run.');
      console.log('runtimes: 0 passed, 1 failed, 0 skipped');
      return 1;
    }
  }
  const outDir = mkdtempSync(join(tmpdir(), 'm2m-auth-runtimes-'));
  const bundles = new Map<string, string>();
  const bundleProblems: string[] = [];
  for (const target of targets) {
    const { file, problems } = await bundle(target, outDir);
    bundles.set(target.name, file);
    bundleProblems.push(...problems.map((p) => `${target.name} bundle: ${p}`));
  }
  console.log(
    `built and bundled in ${ms(performance.now() - t)} (${[...new Set(bundleProblems)].length} bundle problems) -> ${outDir}`,
  );

  // 2. Servers.
  const keys = await generateClientKeys('ES256');
  const jwtClient = {
    clientId: 'runtime-smoke',
    clientSecret: 'runtime-smoke-secret-0123456789abcdef0123456789',
    kid: keys.kid,
    privateJwk: keys.privateJwk as JsonWebKey,
  };
  const auth = await startAuthServer({
    clients: [
      ...DEFAULT_CLIENTS,
      { clientId: jwtClient.clientId, clientSecret: jwtClient.clientSecret, jwks: keys.jwks },
    ],
  });
  const api = await startResourceServer({ authServer: auth });
  const control = await startControl(auth);
  const config: SmokeConfig = {
    tokenUrls: {
      generic: auth.tokenUrl('generic'),
      strict: auth.tokenUrl('strict-rfc'),
      dpop: auth.tokenUrl('dpop'),
    },
    apiUrl: api.url,
    controlUrl: control.url,
    demo: { clientId: 'demo-client', clientSecret: 'demo-secret' },
    jwtClient,
    concurrency: CONCURRENCY,
    dpop: true,
  };

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
      auth.stats.reset();
      api.reset();
      control.revokes = 0;
      const file = bundles.get(target.name) as string;
      const problems = bundleProblems.filter((p) => p.startsWith(`${target.name} `));
      let result: SmokeResult | undefined;
      try {
        result = await runTarget(target, located.binary, file, config);
      } catch (error) {
        problems.push(`did not run: ${String(error instanceof Error ? error.message : error)}`);
      }
      if (result) {
        const stepErrors = result.steps
          .filter((s) => !s.ok)
          .map((s) => `step ${s.name}: ${s.error}`);
        const records = check(result, auth, api, control.revokes, config);
        // A failed step explains the server-record mismatches that follow from it: show it
        // first, and the mismatches only while they are few.
        problems.push(...stepErrors);
        if (stepErrors.length === 0 || records.length <= 3) problems.push(...records);
        else problems.push(`(and ${records.length} server-record checks that follow from these)`);
      }
      const outcome: Outcome = {
        target: target.name,
        version: located.version,
        status: problems.length === 0 ? 'passed' : 'failed',
        ms: performance.now() - t,
        problems,
        ...(result
          ? {
              summary: `${result.steps.length} steps, ${auth.stats.total} token requests, ${api.counters.total} API calls (${api.counters.unauthorized} answered 401)`,
            }
          : {}),
      };
      outcomes.push(outcome);
      report(outcome);
    }
  } finally {
    await Promise.all([auth.close(), api.close(), control.close()]);
    if (args.keep) console.log(`bundles kept in ${outDir}`);
    else rmSync(outDir, { recursive: true, force: true });
  }

  console.log('\nruntime   version                                   result   time');
  for (const o of outcomes) {
    console.log(
      `${o.target.padEnd(9)} ${o.version.slice(0, 40).padEnd(41)} ${o.status.padEnd(8)} ${ms(o.ms)}`,
    );
  }
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  console.log(`total ${ms(performance.now() - started)}`);
  console.log(
    `runtimes: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`,
  );
  return count('failed') > 0 ? 1 : 0;
}

function skip(target: string, why: string, elapsed: number): Outcome {
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

function report(o: Outcome): void {
  const head = `${o.status === 'passed' ? 'PASS' : 'FAIL'} ${o.target} (${o.version}) in ${ms(o.ms)}`;
  console.log(`${head}${o.summary ? `: ${o.summary}` : ''}`);
  for (const p of o.problems) console.log(`  - ${p}`);
}

// ---------------------------------------------------------------------------------------

async function bundle(
  target: Target,
  outDir: string,
): Promise<{ file: string; problems: string[] }> {
  const entry = { cli: 'entry-cli.ts', deno: 'entry-deno.ts', worker: 'entry-worker.ts' }[
    target.flavor
  ];
  const file = join(outDir, `smoke-${target.name}.mjs`);
  const result = await esbuild.build({
    entryPoints: [join(here, entry)],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: target.conditions,
    mainFields: ['module', 'main'],
    // Left for the runtime to refuse: a `node:` import must fail where Node is not.
    external: ['node:*'],
    inject: (args.inject ?? []).map((f) => resolve(f)),
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

async function runTarget(
  target: Target,
  binary: string,
  file: string,
  config: SmokeConfig,
): Promise<SmokeResult> {
  if (target.flavor === 'worker') return runWorker(file, config);
  const argv =
    target.flavor === 'deno'
      ? [
          'run',
          '--allow-net=127.0.0.1',
          '--allow-env=M2M_SMOKE',
          '--no-prompt',
          '--no-config',
          '--no-lock',
          '--no-npm',
          '--quiet',
          file,
        ]
      : target.name === 'bun'
        ? ['--no-install', '--no-env-file', file]
        : [file];
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? tmpdir(),
    M2M_SMOKE: JSON.stringify(config),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_DIR: join(tmpdir(), 'm2m-auth-runtimes-deno'),
    NO_COLOR: '1',
  };
  const { code, stdout, stderr } = await exec(binary, argv, env, join(file, '..'));
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) {
    throw new Error(
      `exit code ${code}, no result line.\n    stderr: ${indent(stderr)}\n    stdout: ${indent(stdout)}`,
    );
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as SmokeResult;
}

async function runWorker(file: string, config: SmokeConfig): Promise<SmokeResult> {
  const { Miniflare } = await import('miniflare');
  const { readFileSync } = await import('node:fs');
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'smoke.mjs', contents: readFileSync(file, 'utf8') }],
    compatibilityDate: COMPATIBILITY_DATE,
    // No nodejs_compat: Node's APIs are not there, as on a Worker that did not opt in.
    compatibilityFlags: [],
    bindings: { M2M_SMOKE: config },
  });
  try {
    const res = await withTimeout(mf.dispatchFetch('http://smoke.invalid/'), RUN_TIMEOUT_MS);
    const text = await res.text();
    if (res.status !== 200)
      throw new Error(`the worker answered ${res.status}: ${text.slice(0, 2000)}`);
    return JSON.parse(text) as SmokeResult;
  } finally {
    await mf.dispose();
  }
}

/** The servers' records of what actually happened (the smoke's own steps are reported apart). */
function check(
  result: SmokeResult,
  auth: AuthServer,
  api: ResourceServer,
  revokes: number,
  config: SmokeConfig,
): string[] {
  const problems: string[] = [];
  if (!result.ok && result.steps.every((s) => s.ok)) problems.push('the smoke reported ok: false');
  const expectedSteps = [
    ...METHOD_PHASES.filter((p) => p !== 'dpop' || config.dpop).map((p) => `auth:${p}`),
    'cold-fetch',
    'cold-ky',
    'revoke:warm',
    'revoke:fetch',
    'revoke:ky',
  ];
  const names = result.steps.map((s) => s.name);
  if (JSON.stringify(names) !== JSON.stringify(expectedSteps)) {
    problems.push(`steps ${names.join(',')}, expected ${expectedSteps.join(',')}`);
  }

  const tokenRequests = (phase: string) =>
    auth.stats.requests.filter((r) => r.scope === scopeOf(phase));
  const apiRequests = (prefix: string) => api.requests.filter((r) => r.path.startsWith(prefix));
  const expect = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  };

  // Each client auth method: one token request, by that method, on that profile.
  const wire: Record<string, [profile: string, method: string]> = {
    client_secret_basic: ['generic', 'basic'],
    client_secret_basic_raw: ['strict-rfc', 'basic'],
    client_secret_post: ['strict-rfc', 'post'],
    private_key_jwt: ['strict-rfc', 'private_key_jwt'],
    client_secret_jwt: ['strict-rfc', 'client_secret_jwt'],
  };
  for (const [phase, [profile, method]] of Object.entries(wire)) {
    const reqs = tokenRequests(phase);
    expect(
      `${phase}: token requests (profile, method, status)`,
      reqs.map((r) => [r.profile, r.authMethod, r.status]),
      [[profile, method, 200]],
    );
    expect(
      `${phase}: API statuses`,
      apiRequests(`/echo/${phase}/`).map((r) => [r.path, r.status]),
      [
        [`/echo/${phase}/fetch`, 200],
        [`/echo/${phase}/ky`, 200],
      ],
    );
  }
  for (const phase of ['private_key_jwt', 'client_secret_jwt']) {
    const claims = tokenRequests(phase)[0]?.assertion?.claims;
    expect(
      `${phase}: assertion iss/sub/aud`,
      [claims?.iss, claims?.sub, claims?.aud],
      [config.jwtClient.clientId, config.jwtClient.clientId, config.tokenUrls.strict],
    );
  }
  if (config.dpop) {
    // The token endpoint's nonce dance (400 use_dpop_nonce, then 200), then DPoP-bound calls.
    expect(
      'dpop: token requests (profile, status, proof outcome)',
      tokenRequests('dpop').map((r) => [r.profile, r.status, r.dpop?.outcome]),
      [
        ['dpop', 400, 'use_dpop_nonce'],
        ['dpop', 200, 'accepted'],
      ],
    );
    const calls = apiRequests('/echo/dpop/');
    const last = (path: string) =>
      calls
        .filter((r) => r.path === path)
        .map((r) => r.status)
        .at(-1);
    expect(
      'dpop: final API statuses',
      [last('/echo/dpop/fetch'), last('/echo/dpop/ky')],
      [200, 200],
    );
    const schemes = [...new Set(calls.map((r) => r.authorization?.split(' ')[0]))];
    expect('dpop: Authorization schemes', schemes, ['DPoP']);
    expect(
      'dpop: refused proofs at the API',
      calls.filter((r) => r.dpop?.outcome === 'invalid_dpop_proof').length,
      0,
    );
  }

  // N concurrent cold calls: one token request each, every call 200 at the first try.
  for (const phase of ['cold-fetch', 'cold-ky']) {
    expect(
      `${phase}: token requests`,
      tokenRequests(phase).map((r) => r.status),
      [200],
    );
    const calls = apiRequests(`/echo/${phase}/`);
    expect(`${phase}: API calls`, calls.length, config.concurrency);
    expect(`${phase}: non-200 answers`, calls.filter((r) => r.status !== 200).length, 0);
  }

  // Revoke-all, twice: each time one 401, one refresh, one replay.
  expect('revoke-all calls', revokes, 2);
  expect(
    'revoke: token requests',
    tokenRequests('revoke').map((r) => r.status),
    [200, 200, 200],
  );
  for (const [path, statuses] of [
    ['/echo/revoke/warm', [200]],
    ['/echo/revoke/fetch', [401, 200]],
    ['/echo/revoke/ky', [401, 200]],
  ] as const) {
    expect(
      `${path}: API statuses`,
      apiRequests(path)
        .filter((r) => r.path === path)
        .map((r) => r.status),
      statuses,
    );
  }

  // Nothing else reached the servers.
  const expectedTokenRequests = 5 + (config.dpop ? 2 : 0) + 2 + 3;
  expect('token requests in all', auth.stats.total, expectedTokenRequests);
  return problems;
}

// ---------------------------------------------------------------------------------------

interface Control {
  url: string;
  revokes: number;
  close(): Promise<void>;
}

/** `POST /revoke-all` for the runtimes: the one thing they cannot do to the servers themselves. */
async function startControl(auth: AuthServer): Promise<Control> {
  const control: Control = { url: '', revokes: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/revoke-all') {
      auth.control.revokeAll();
      control.revokes += 1;
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('control server has no port');
  control.url = `http://127.0.0.1:${address.port}`;
  control.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return control;
}

function exec(
  binary: string,
  argv: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(binary, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`timed out after ${RUN_TIMEOUT_MS} ms.\n    stderr: ${indent(stderr)}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

function withTimeout<T>(promise: Promise<T>, msTimeout: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`timed out after ${msTimeout} ms`)), msTimeout);
    }),
  ]).finally(() => clearTimeout(timer));
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const indent = (text: string) => text.trim().split('\n').slice(0, 30).join('\n      ') || '(empty)';
const firstLine = (error: unknown) =>
  String(error instanceof Error ? error.message : error).split('\n')[0];

process.exitCode = await main();
