/**
 * Table 5: a fleet of 8 processes, each sending 50 concurrent GETs at once, cold and again after
 * revoke-all: token requests for the whole fleet, and calls that failed. Our adapters and
 * `@scienta/axios-oauth2` share tokens through one redis-server; the other libraries have no
 * shared store, so each process is on its own (a row of ours without Redis shows the same).
 * The first spec is taken to be ours.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { redisServerBinary, startRedisServer } from '@m2m-auth/test-utils';
import type { ContenderSpec } from '../contenders/contender.ts';
import { startCompareServers } from './servers.ts';

export const FLEET_SIZE = 8;
export const FLEET_CALLS = 50;
const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));

export interface FleetRow {
  label: string;
  store: string;
  cold: { tokenRequests: number; failed: number };
  revoked: { tokenRequests: number; failed: number };
}

type Worker = ReturnType<typeof fork>;
const next = (w: Worker) => new Promise<unknown>((resolve) => w.once('message', resolve));

async function fleetRun(
  servers: Awaited<ReturnType<typeof startCompareServers>>,
  spec: ContenderSpec,
  clientId: string,
  redisUrl: string | undefined,
) {
  const options = { ...servers.options(clientId), ...(redisUrl ? { redisUrl } : {}) };
  const env = {
    ...process.env,
    CONTENDER: spec.id,
    OPTIONS: JSON.stringify(options),
    CALLS: String(FLEET_CALLS),
  };
  const workers = Array.from({ length: FLEET_SIZE }, () =>
    fork(WORKER, [], { execArgv: process.execArgv, env, stdio: 'inherit' }),
  );
  await Promise.all(workers.map(next));
  const round = async () => {
    const before = servers.tokenRequests(clientId);
    const replies = workers.map(next);
    for (const w of workers) w.send('go');
    const failed = (await Promise.all(replies)).reduce<number>(
      (sum, r) => sum + (r as { failed: number }).failed,
      0,
    );
    return { tokenRequests: servers.tokenRequests(clientId) - before, failed };
  };
  const cold = await round();
  servers.auth.control.revokeAll();
  const revoked = await round();
  await Promise.all(
    workers.map((w) => {
      const exited = new Promise((resolve) => w.once('exit', resolve));
      w.send('exit');
      return exited;
    }),
  );
  return { cold, revoked };
}

export async function fleet(specs: readonly ContenderSpec[]): Promise<FleetRow[] | string> {
  const binary = redisServerBinary();
  if (!binary) return 'Skipped: redis-server is not installed.';
  const redis = await startRedisServer(binary);
  // Ours with the shared store; then every library without one (ours once, for reference).
  const plan = [
    ...specs.filter((s) => s.sharedStore).map((spec) => ({ spec, redis: true })),
    ...specs
      .filter((s, i) => i === 0 || !s.id.startsWith('ours-'))
      .map((spec) => ({ spec, redis: false })),
  ];
  const servers = await startCompareServers(plan.map((_, i) => `bench-fleet-${i}`));
  const rows: FleetRow[] = [];
  for (const [i, { spec, redis: shared }] of plan.entries()) {
    const result = await fleetRun(
      servers,
      spec,
      `bench-fleet-${i}`,
      shared ? redis.url : undefined,
    );
    rows.push({ label: spec.label, store: shared ? 'Redis' : 'none (per process)', ...result });
  }
  await Promise.all([servers.close(), redis.close()]);
  return rows;
}
