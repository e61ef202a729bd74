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

export const contenders: readonly ContenderSpec[] = [
  ...m2mAuth,
  badgateway,
  openidClient,
  axiosAuthRefresh,
  gotRecipe,
  kyHooks,
  scienta,
];

export function contender(id: string): ContenderSpec {
  const spec = contenders.find((c) => c.id === id);
  if (!spec) throw new Error(`no contender '${id}': ${contenders.map((c) => c.id).join(', ')}`);
  return spec;
}
