/**
 * Table 7 in a fresh process: `node bench/adapter-cost-child.ts` prints adapterCost()'s rows
 * as JSON. In the process that ran tables 1-6 every adapter's added CPU read about twice as
 * high (their heap and JIT state), so bench/run.ts measures it here, as tables 4 and 13 are.
 */
import { createTokenProvider } from '@m2m-auth/core';
import { adapterCost } from './adapter-cost.ts';
import { startTokenServer } from './token-server.ts';

const tokenServer = await startTokenServer(0);
const provider = createTokenProvider({
  tokenUrl: tokenServer.tokenUrl,
  clientId: 'bench',
  clientSecret: 'bench-secret',
});
const costs = await adapterCost(provider, 'https://api.bench.example');
await tokenServer.close();
process.stdout.write(`${JSON.stringify(costs)}\n`);
