/**
 * `npm run test:node22`: the tests of Node's own fetch once more under Node 22, whose fetch
 * is undici 6 (Node 24's, which runs every other test, is undici 7): @m2m-auth/undici's
 * global-fetch files (and the certified-server suite on it), with vitest run by the Node 22 from npm that runtimes/ already uses
 * (installed into node_modules/.cache on first use). A Node 22 that cannot be had is a loud
 * skip, and a failure under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { locateNode22 } from '../runtimes/binaries.ts';
import { root } from '../runtimes/paths.ts';

const FILES = [
  'test/certified.test.ts',
  'test/global-fetch-bundled.test.ts',
  'test/global-fetch.test.ts',
  'test/sdk-on-global-fetch.test.ts',
];
const CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

const node = await locateNode22();
if ('missing' in node) {
  console.warn(`test:node22 SKIPPED, no Node 22: ${node.missing}`);
  process.exit(CI ? 1 : 0);
}
console.log(`test:node22 on ${node.version} (bundled undici of that Node, see the tests' titles)`);
const vitest = ['node_modules/vitest/vitest.mjs', 'run', '--project', 'undici', ...FILES];
const run = spawnSync(node.binary, vitest, { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
