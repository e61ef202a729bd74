/**
 * One process of the fleet comparison (bench/compare/fleet.ts): creates the contender named
 * by CONTENDER with the options in OPTIONS (JSON, `redisUrl` included for a shared store),
 * then on each 'go' from the parent sends CALLS concurrent GETs and reports how many failed.
 * Exits on 'exit'.
 */
import { contender } from '../contenders/index.ts';
import { concurrently } from './servers.ts';

const spec = contender(process.env['CONTENDER'] ?? '');
const client = await spec.create(JSON.parse(process.env['OPTIONS'] ?? '{}'));
const calls = Number(process.env['CALLS'] ?? 50);

process.on('message', async (message) => {
  if (message === 'go') {
    process.send?.({ failed: await concurrently(calls, () => client.get('/echo')) });
    return;
  }
  await client.close();
  process.disconnect?.();
});
process.send?.('ready');
