/**
 * Node (22, 24) and Bun: the config comes in the `M2M_SMOKE` environment variable, the
 * result goes out as one line on stdout. `process.env` is read here, in the entry a user
 * writes, never inside the packages under test.
 */
import { RESULT_PREFIX } from './protocol.ts';
import { runSmoke, type SmokeConfig } from './smoke.ts';

declare const process: { env: Record<string, string | undefined> };

const config = JSON.parse(process.env['M2M_SMOKE'] ?? 'null') as SmokeConfig;
console.log(RESULT_PREFIX + JSON.stringify(await runSmoke(config)));
