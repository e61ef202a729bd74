/**
 * `npm run test:packages`: the packages as users get them. Packs every public package
 * (`npm pack`, the same tarballs `npm publish` would upload), installs them with their peer
 * clients into a scratch project, and uses them from ESM and from CommonJS (`require` of an
 * ESM package, Node >= 22.12) on Node 22 and on Node 24, both from the npm registry's `node`
 * package. Each run gets a token from a local token endpoint through every adapter.
 * Needs the built `dist/` (`tsc -b`, which `npm test` runs first).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const PACKAGES = ['core', 'fetch', 'axios', 'got', 'ky', 'undici', 'grpc', 'redis', 'cli'];
const scratch = mkdtempSync(join(tmpdir(), 'm2m-auth-pack-'));
const run = (command: string, args: string[], cwd = scratch) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

try {
  const tarballs = PACKAGES.map((name) => {
    const out = run(
      'npm',
      ['pack', '--silent', '--pack-destination', scratch],
      join(root, 'packages', name),
    );
    return join(scratch, out.trim().split('\n').pop() as string);
  });
  tarballs.push(
    join(
      scratch,
      run('npm', ['pack', '--silent', '--pack-destination', scratch], join(root, 'test-utils'))
        .trim()
        .split('\n')
        .pop() as string,
    ),
  );
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  // Our tarballs, the clients users bring, and Node 22 next to the Node 24 running this.
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--silent',
    ...tarballs,
    'axios@1',
    'got@16',
    'ky@2',
    // Node 22 bundles undici 6 and Node 24 undici 7; an Agent of 7 serves both.
    'undici@7',
    '@grpc/grpc-js@1',
    'node22@npm:node@22',
  ]);
  const node22 = join(scratch, 'node_modules', 'node22', 'bin', 'node');

  writeFileSync(join(scratch, 'smoke.mjs'), SMOKE('import'));
  writeFileSync(join(scratch, 'smoke.cjs'), SMOKE('require'));
  for (const [label, node] of [
    ['Node 24', process.execPath],
    ['Node 22', node22],
  ] as const) {
    for (const file of ['smoke.mjs', 'smoke.cjs']) {
      const output = run(node, [file]).trim();
      console.log(`${label} ${file}: ${output}`);
      if (!output.startsWith('ok ')) throw new Error(`${label} ${file} failed: ${output}`);
    }
  }
  const version = run(node22, ['--version']).trim();
  if (!version.startsWith('v22.')) throw new Error(`expected Node 22, got ${version}`);
  const bin = JSON.parse(
    readFileSync(join(scratch, 'node_modules/@m2m-auth/cli/package.json'), 'utf8'),
  ).bin['m2m-auth'];
  run(process.execPath, [join(scratch, 'node_modules/@m2m-auth/cli', bin), '--help']);
  console.log(
    'packed packages: ESM and CommonJS on Node 22 and 24, every adapter, and the CLI: ok',
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** The same checks as an ES module (`import`) or as CommonJS (`require`). */
function SMOKE(style: 'import' | 'require'): string {
  const load =
    style === 'import'
      ? (name: string) => `await import('${name}')`
      : (name: string) => `require('${name}')`;
  const body = `
  const http = ${load('node:http')};
  const { createTokenProvider } = ${load('@m2m-auth/core')};
  const { fetchAuth } = ${load('@m2m-auth/fetch')};
  const { axiosAuth } = ${load('@m2m-auth/axios')};
  const { gotAuth } = ${load('@m2m-auth/got')};
  const { kyAuth } = ${load('@m2m-auth/ky')};
  const { undiciAuth } = ${load('@m2m-auth/undici')};
  const { grpcAuth, grpcCallCredentials } = ${load('@m2m-auth/grpc')};
  const grpc = ${load('@grpc/grpc-js')};
  const { redisStore } = ${load('@m2m-auth/redis')};
  const { startAuthServer, startResourceServer } = ${load('@m2m-auth/test-utils')};
  const axios = (${load('axios')}).default ?? ${load('axios')};
  const got = (${load('got')}).default;
  const ky = (${load('ky')}).default;
  const undici = ${load('undici')};
  const auth = await startAuthServer();
  const api = await startResourceServer({ authServer: auth });
  const tokens = createTokenProvider({ tokenUrl: auth.tokenUrl('generic'), clientId: 'demo-client', clientSecret: 'demo-secret' });
  const statuses = [];
  statuses.push((await fetchAuth(tokens, { origins: [api.url] })(api.url + '/echo/fetch')).status);
  const instance = axios.create({ baseURL: api.url }); axiosAuth(instance, tokens);
  statuses.push((await instance.get('/echo/axios')).status);
  statuses.push((await got.extend(gotAuth(tokens, { prefixUrl: api.url }))(api.url + '/echo/got')).statusCode);
  statuses.push((await ky.create(kyAuth(tokens, { baseUrl: api.url }))(api.url + '/echo/ky')).status);
  const agent = new undici.Agent();
  const viaUndici = await undici.request(api.url + '/echo/undici', { dispatcher: agent.compose(undiciAuth(tokens, { origins: [api.url] })) });
  await viaUndici.body.text();
  await agent.close();
  statuses.push(viaUndici.statusCode);
  // A unary gRPC call (JSON on the wire) to a server that checks the token with the auth server.
  const json = { serialize: (v) => Buffer.from(JSON.stringify(v)), deserialize: (b) => JSON.parse(b.toString()) };
  const service = { get: { path: '/smoke.Things/Get', requestStream: false, responseStream: false, requestSerialize: json.serialize, requestDeserialize: json.deserialize, responseSerialize: json.serialize, responseDeserialize: json.deserialize } };
  const server = new grpc.Server();
  server.addService(service, { get: (call, cb) => void auth.verify(String(call.metadata.get('authorization')[0]).slice(7)).then((claims) => claims ? cb(null, { ok: true }) : cb({ code: grpc.status.UNAUTHENTICATED })) });
  const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const Things = grpc.makeGenericClientConstructor(service, 'Things');
  const things = new Things('127.0.0.1:' + port, grpc.credentials.createInsecure(), { interceptors: [grpcAuth(tokens)] });
  const answer = await new Promise((resolve) => things.get({}, (error, response) => resolve(error ? error.code : response)));
  statuses.push(answer && answer.ok === true ? 200 : answer);
  things.close();
  server.forceShutdown();
  if (typeof grpcCallCredentials(tokens) !== 'object') throw new Error('no grpcCallCredentials');
  if (typeof redisStore !== 'function') throw new Error('no redisStore');
  const requests = auth.stats.total;
  await Promise.all([auth.close(), api.close()]);
  console.log(statuses.every((s) => s === 200) && requests === 1 ? 'ok ' + statuses.join(',') : 'FAILED ' + statuses.join(',') + ' token requests ' + requests);
`;
  return style === 'import'
    ? body
    : `(async () => {${body}})().catch((e) => { console.log('FAILED', e.message); });`;
}
