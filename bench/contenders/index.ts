/**
 * Every contender the comparison benchmarks run, ours first. Each module cites the
 * documentation its wiring follows.
 */
import { axiosAuthRefresh } from './axios-auth-refresh.ts';
import { badgateway } from './badgateway.ts';
import type { ContenderSpec } from './contender.ts';
import { gotRecipe } from './got-recipe.ts';
import { kyHooks } from './ky-hooks.ts';
import { m2mAuth } from './m2m-auth.ts';
import { openidClient } from './openid-client.ts';
import { scienta } from './scienta.ts';
import { undiciAdapter } from './undici.ts';

export const contenders: readonly ContenderSpec[] = [
  ...m2mAuth,
  badgateway,
  openidClient,
  axiosAuthRefresh,
  gotRecipe,
  kyHooks,
  scienta,
];

/** Ours that only the overhead benchmarks (tables 4 and 7) run: nothing to compare them with. */
export const overheadOnly: readonly ContenderSpec[] = [undiciAdapter];

export function contender(id: string): ContenderSpec {
  const spec = [...contenders, ...overheadOnly].find((c) => c.id === id);
  if (!spec) throw new Error(`no contender '${id}': ${contenders.map((c) => c.id).join(', ')}`);
  return spec;
}
