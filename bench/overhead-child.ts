/**
 * One overhead comparison in a fresh process (so no other client's JIT state or garbage skews
 * it): `node bench/overhead-child.ts <control|contender id>` prints the paired rounds as JSON:
 * the contender (token cached) against its own bare client sending a static header.
 * bench/run.ts runs several of these per contender and pools the rounds.
 */
import { bareClient } from './contenders/bare.ts';
import { contender } from './contenders/index.ts';
import { overhead, startApi } from './http-overhead.ts';
import { startTokenServer } from './token-server.ts';

const id = process.argv[2] ?? '';
const tokenServer = await startTokenServer(0);
const api = await startApi();
// Same length as the token server's tokens, so both sides send the same bytes.
const staticToken = `bench-1-${crypto.randomUUID()}`;
const spec = id === 'control' ? undefined : contender(id);
const bare = bareClient(spec?.client ?? 'fetch', api.url, staticToken);
const measured = spec
  ? await spec.create({
      tokenUrl: tokenServer.tokenUrl,
      clientId: 'bench',
      clientSecret: 'bench-secret',
      apiOrigin: api.url,
    })
  : bareClient('fetch', api.url, staticToken);
if ((await measured.get('/things')) !== 200) throw new Error(`${id}: the first call failed`);
const rounds = await overhead(
  () => bare.get('/things'),
  () => measured.get('/things'),
  { rounds: Number(process.env['ROUNDS'] ?? 11) },
);
await measured.close();
await Promise.all([api.close(), tokenServer.close()]);
process.stdout.write(`${JSON.stringify(rounds)}\n`);
