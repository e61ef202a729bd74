/**
 * Deno: the config comes in the `M2M_SMOKE` environment variable (`--allow-env=M2M_SMOKE`),
 * the result goes out as one line on stdout.
 */
import { RESULT_PREFIX } from './protocol.ts';
import { runSmoke, type SmokeConfig } from './smoke.ts';

declare const Deno: { env: { get(name: string): string | undefined } };

const config = JSON.parse(Deno.env.get('M2M_SMOKE') ?? 'null') as SmokeConfig;
console.log(RESULT_PREFIX + JSON.stringify(await runSmoke(config)));
