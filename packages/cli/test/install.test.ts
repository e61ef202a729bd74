import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWithoutDemo } from './helpers/install-without-demo.ts';
import { runCli, secretEnv, useCliTestServers, vendorFlags } from './helpers/run-cli.ts';

const servers = useCliTestServers();
const DEMO_PACKAGES = [
  '@m2m-auth/axios',
  '@m2m-auth/got',
  '@m2m-auth/ky',
  '@m2m-auth/test-utils',
  'axios',
  'got',
  'ky',
];

describe('@m2m-auth/cli install', () => {
  it('depends on core, fetch and jose only; the demo’s packages are optional peers', async () => {
    const manifest = JSON.parse(
      await readFile(new URL('../package.json', import.meta.url), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      '@m2m-auth/core',
      '@m2m-auth/fetch',
      'jose',
    ]);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(DEMO_PACKAGES);
    for (const name of DEMO_PACKAGES) {
      expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
  });
});

describe('m2m-auth without the demo’s packages installed', () => {
  let install: Awaited<ReturnType<typeof installWithoutDemo>>;
  beforeAll(async () => {
    install = await installWithoutDemo();
  });
  afterAll(() => install.remove());

  it('token and request work on core and fetch alone', async () => {
    const run = (args: string[]) =>
      runCli(args, { bin: install.bin, cwd: install.dir, env: secretEnv() });
    const token = await run(['token', ...vendorFlags(servers.auth, 'generic')]);
    expect(token).toMatchObject({ code: 0, stderr: '' });
    expect(await servers.auth.verify(token.stdout.trim())).toMatchObject({ sub: 'demo-client' });
    const request = await run([
      'request',
      '-s',
      `${servers.api.url}/echo/alone`,
      ...vendorFlags(servers.auth, 'generic'),
    ]);
    expect(request.code).toBe(0);
    expect(JSON.parse(request.stdout)).toMatchObject({ path: '/echo/alone', sub: 'demo-client' });
  });

  it('demo exits 10 and says what to install, with npx and next to an installed CLI', async () => {
    const result = await runCli(['demo'], { bin: install.bin, cwd: install.dir });
    expect(result.code).toBe(10);
    expect(result.stdout).toBe('');
    const [first = '', ...rest] = result.stderr.trimEnd().split('\n');
    expect(first).toBe(
      `m2m-auth: demo needs packages the CLI does not install (token and request do not): ${DEMO_PACKAGES.join(', ')} missing`,
    );
    const npx = rest.find((line) => line.trim().startsWith('npx '));
    expect(npx).toMatch(
      /^ {4}npx -p @m2m-auth\/cli -p '@m2m-auth\/axios@\^0\.1\.0' .* m2m-auth demo$/,
    );
    for (const name of DEMO_PACKAGES) expect(npx).toContain(`-p '${name}@`);
    expect(rest.some((line) => line.trim().startsWith("npm install '@m2m-auth/axios@"))).toBe(true);
    // Its --help still works: it needs nothing.
    const help = await runCli(['demo', '--help'], { bin: install.bin, cwd: install.dir });
    expect(help.code).toBe(0);
  });
});
