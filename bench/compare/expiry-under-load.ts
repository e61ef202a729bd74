/**
 * Table 3: expiry under steady load. Every contender (each with its own client id) and a
 * bare `fetch` with a long-lived token run side by side in this process, each sending 20 GETs a
 * second, open loop, for 10 lifetimes of a 3-second token. The token endpoint answers after
 * 250 ms, the API at once, so a call slower than half that waited on the token endpoint (or on
 * a 401 and a retry). Counted after each contender's first call (the warm-up): calls that
 * waited, 401s the API sent for an expired token of that client (the JWT's `sub`), calls that
 * failed, and p50/p99 latency next to the bare client's.
 */
import { createTokenProvider } from '@m2m-auth/core';
import { bareClient } from '../contenders/bare.ts';
import type { Contender, ContenderSpec } from '../contenders/contender.ts';
import { CLIENT_SECRET, PROFILE, startCompareServers } from './servers.ts';

export const LIFETIME_S = 3;
export const LIFETIMES = 10;
export const RATE = 20;
export const TOKEN_DELAY_MS = 250;
const BARE = 'bench-bare';

export interface ExpiryRow {
  id: string;
  label: string;
  calls: number;
  waited: number;
  expired401s: number;
  failed: number;
  p50: number;
  p99: number;
}

interface Sample {
  ms: number;
  ok: boolean;
}

async function drive(contender: Contender, until: number): Promise<Sample[]> {
  const pending: Promise<Sample>[] = [];
  const one = async (): Promise<Sample> => {
    const started = performance.now();
    const ok = await contender.get('/echo').then(
      (status) => status === 200,
      () => false,
    );
    return { ms: performance.now() - started, ok };
  };
  for (let next = Date.now(); next < until; next += 1000 / RATE) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    pending.push(one());
  }
  return Promise.all(pending);
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const subject = (authorization: string | undefined) => {
  const payload = authorization?.split(' ')[1]?.split('.')[1];
  if (!payload) return undefined;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string }).sub;
};

export async function expiryUnderLoad(specs: readonly ContenderSpec[]): Promise<ExpiryRow[]> {
  const ids = specs.map((s) => `bench-${s.id}`);
  const servers = await startCompareServers([...ids, BARE]);
  // The reference: a token from the generic profile, which keeps its 1-hour lifetime.
  const bareToken = await createTokenProvider({
    tokenUrl: servers.auth.tokenUrl('generic'),
    clientId: BARE,
    clientSecret: CLIENT_SECRET,
  }).getToken();
  servers.auth.control.setLifetime(LIFETIME_S, PROFILE);
  servers.auth.control.inject({ type: 'delay', ms: TOKEN_DELAY_MS }, 1_000_000);
  const entries = [
    ...specs.map((spec, i) => ({
      id: spec.id,
      label: spec.label,
      create: () => spec.create(servers.options(ids[i])),
    })),
    {
      id: 'bare',
      label: 'bare `fetch`, static long-lived token (reference)',
      create: () => bareClient('fetch', servers.api.url, bareToken.accessToken),
    },
  ];
  const contenders = await Promise.all(entries.map((e) => e.create()));
  await Promise.all(contenders.map((c) => c.get('/echo').catch(() => 0))); // warm-up
  servers.api.reset();
  const until = Date.now() + LIFETIMES * LIFETIME_S * 1000;
  const samples = await Promise.all(contenders.map((c) => drive(c, until)));
  const unauthorized = new Map<string | undefined, number>();
  for (const r of servers.api.requests) {
    if (r.status !== 401) continue;
    const sub = subject(r.authorization);
    unauthorized.set(sub, (unauthorized.get(sub) ?? 0) + 1);
  }
  await Promise.all(contenders.map((c) => c.close()));
  await servers.close();
  return entries.map((entry, i) => {
    const runs = samples[i] ?? [];
    const latencies = runs.map((s) => s.ms);
    return {
      id: entry.id,
      label: entry.label,
      calls: runs.length,
      waited: runs.filter((s) => s.ms >= TOKEN_DELAY_MS / 2).length,
      expired401s: unauthorized.get(ids[i] ?? BARE) ?? 0,
      failed: runs.filter((s) => !s.ok).length,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
    };
  });
}
