/**
 * The runtime smoke: the same assertions on every runtime (Node, Bun, Deno, workerd).
 *
 * Bundled by `runtimes/run.ts` with esbuild from the BUILT packages (`dist/`, as users get
 * them). It imports only @m2m-auth/core, @m2m-auth/fetch, @m2m-auth/ky and ky, and uses only
 * web-standard globals (fetch, URL, Response, crypto, setTimeout, navigator): no `node:`
 * module, no `process`, no `Buffer`. The runtime-specific part (how the config comes in, how
 * the result goes out) lives in the three `entry-*.ts` files.
 *
 * Every phase uses its own scope (token requests) and its own path (API requests), so that
 * run.ts can check each phase against the servers' own records afterwards.
 */
import { createTokenProvider, type TokenProvider, type TokenProviderOptions } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { kyAuth } from '@m2m-auth/ky';
import ky from 'ky';

/** What run.ts hands each runtime (env var, or a Worker binding). */
export interface SmokeConfig {
  /** Token endpoints of the test-utils authorization server. */
  tokenUrls: { generic: string; strict: string; dpop: string };
  /** The test-utils resource server. */
  apiUrl: string;
  /** run.ts's control endpoint: `POST ${controlUrl}/revoke-all`. */
  controlUrl: string;
  demo: { clientId: string; clientSecret: string };
  /** A client registered with `jwks` (private_key_jwt) and a long secret (client_secret_jwt). */
  jwtClient: { clientId: string; clientSecret: string; kid: string; privateJwk: JsonWebKey };
  /** How many concurrent cold calls per client (50). */
  concurrency: number;
  /** Skip the DPoP phase. */
  dpop: boolean;
}

export interface SmokeStep {
  name: string;
  ok: boolean;
  /** HTTP statuses the caller saw, in order. */
  statuses: number[];
  /** The `sub` and `scope` of the token the API saw on the last call. */
  sub?: string;
  scope?: string;
  error?: string;
}

export interface SmokeResult {
  /** `navigator.userAgent` where there is one. */
  userAgent: string;
  ok: boolean;
  steps: SmokeStep[];
  ms: number;
}

/** The five client auth methods and DPoP, each through fetchAuth and kyAuth. */
export const METHOD_PHASES = [
  'client_secret_basic',
  'client_secret_basic_raw',
  'client_secret_post',
  'private_key_jwt',
  'client_secret_jwt',
  'dpop',
] as const;
export type MethodPhase = (typeof METHOD_PHASES)[number];

/** Where the redirect step lands. */
export const REDIRECT_TARGET = '/echo/redirect/landed';

/** The scope each phase asks for: how run.ts finds its token requests. */
export const scopeOf = (phase: string): string => `smoke/${phase}`;

interface Echo {
  sub?: string;
  scope?: string;
}

export async function runSmoke(config: SmokeConfig): Promise<SmokeResult> {
  const started = Date.now();
  const steps: SmokeStep[] = [];
  const step = async (name: string, body: (s: SmokeStep) => Promise<void>): Promise<void> => {
    const s: SmokeStep = { name, ok: false, statuses: [] };
    steps.push(s);
    try {
      await body(s);
      s.ok = true;
    } catch (error) {
      s.error = describe(error);
    }
  };
  const api = config.apiUrl;

  // 1. Every client authentication method, through fetchAuth and through kyAuth.
  for (const phase of METHOD_PHASES) {
    if (phase === 'dpop' && !config.dpop) continue;
    const tokens = createTokenProvider(providerOptions(config, phase));
    await step(`auth:${phase}`, async (s) => {
      const path = `/echo/${phase}`;
      const viaFetch = await fetchAuth(tokens, { origins: [api] })(`${api}${path}/fetch`);
      s.statuses.push(viaFetch.status);
      const echo1 = (await viaFetch.json()) as Echo;
      const viaKy = await ky.create({
        baseUrl: api,
        throwHttpErrors: false,
        ...kyAuth(tokens, { baseUrl: api }),
      })(`${path.slice(1)}/ky`);
      s.statuses.push(viaKy.status);
      const echo2 = (await viaKy.json()) as Echo;
      setTokenInfo(s, echo2);
      expectStatuses(s, [200, 200]);
      const clientId =
        phase === 'private_key_jwt' || phase === 'client_secret_jwt'
          ? config.jwtClient.clientId
          : config.demo.clientId;
      for (const echo of [echo1, echo2]) {
        if (echo.sub !== clientId) throw new Error(`token sub ${echo.sub}, expected ${clientId}`);
        if (echo.scope !== scopeOf(phase)) {
          throw new Error(`token scope ${echo.scope}, expected ${scopeOf(phase)}`);
        }
      }
    });
  }

  // 2. N concurrent cold calls make one token request: through fetchAuth, then kyAuth.
  for (const client of ['fetch', 'ky'] as const) {
    const phase = `cold-${client}`;
    const tokens = demoProvider(config, phase);
    await step(phase, async (s) => {
      const call = client === 'fetch' ? fetchClient(tokens, api) : kyClient(tokens, api);
      const paths = Array.from({ length: config.concurrency }, (_, i) => `/echo/${phase}/${i}`);
      s.statuses = await Promise.all(paths.map((path) => call(path)));
      expectStatuses(
        s,
        paths.map(() => 200),
      );
    });
  }

  // 3. Revoke-all: one 401, one refresh, one replay. One provider, warmed through fetchAuth;
  //    revoked once before a fetchAuth call and once before a kyAuth call.
  {
    const tokens = demoProvider(config, 'revoke');
    const viaFetch = fetchClient(tokens, api);
    const viaKy = kyClient(tokens, api);
    await step('revoke:warm', async (s) => {
      s.statuses.push(await viaFetch('/echo/revoke/warm'));
      expectStatuses(s, [200]);
    });
    for (const [client, call] of [
      ['fetch', viaFetch],
      ['ky', viaKy],
    ] as const) {
      await step(`revoke:${client}`, async (s) => {
        const revoked = await fetch(`${config.controlUrl}/revoke-all`, { method: 'POST' });
        await revoked.body?.cancel();
        if (revoked.status !== 204) throw new Error(`revoke-all answered ${revoked.status}`);
        s.statuses.push(await call(`/echo/revoke/${client}`));
        expectStatuses(s, [200]);
      });
    }
  }

  // 4. A same-origin 307 through fetchAuth with a DPoP-bound token: followed by fetchAuth
  //    (`redirect: 'manual'` underneath), the body sent again, a new proof for the new URL.
  if (config.dpop) {
    const tokens = createTokenProvider({
      ...providerOptions(config, 'dpop'),
      scope: scopeOf('redirect'),
    });
    await step('redirect:dpop', async (s) => {
      const to = `${api}${REDIRECT_TARGET}`;
      const res = await fetchAuth(tokens, { origins: [api] })(
        `${api}/redirect?status=307&to=${encodeURIComponent(to)}`,
        { method: 'POST', body: 'r'.repeat(100) },
      );
      s.statuses.push(res.status);
      await res.arrayBuffer();
      if (!res.redirected || res.url !== to) {
        throw new Error(`redirected ${res.redirected}, url ${res.url}, expected true, ${to}`);
      }
      expectStatuses(s, [200]);
    });
  }

  return {
    userAgent: globalThis.navigator?.userAgent ?? 'unknown',
    ok: steps.every((s) => s.ok),
    steps,
    ms: Date.now() - started,
  };
}

function providerOptions(config: SmokeConfig, phase: MethodPhase): TokenProviderOptions {
  const scope = scopeOf(phase);
  const { tokenUrls, demo, jwtClient } = config;
  switch (phase) {
    case 'client_secret_basic':
      return { tokenUrl: tokenUrls.generic, ...demo, scope };
    case 'client_secret_basic_raw':
      return { tokenUrl: tokenUrls.strict, ...demo, clientAuth: phase, scope };
    case 'client_secret_post':
      return { tokenUrl: tokenUrls.strict, ...demo, clientAuth: phase, scope };
    case 'private_key_jwt':
      return {
        tokenUrl: tokenUrls.strict,
        clientId: jwtClient.clientId,
        clientAuth: phase,
        clientAssertion: { privateKey: jwtClient.privateJwk, kid: jwtClient.kid },
        scope,
      };
    case 'client_secret_jwt':
      return {
        tokenUrl: tokenUrls.strict,
        clientId: jwtClient.clientId,
        clientSecret: jwtClient.clientSecret,
        clientAuth: phase,
        scope,
      };
    case 'dpop':
      return { tokenUrl: tokenUrls.dpop, ...demo, dpop: true, scope };
  }
}

function demoProvider(config: SmokeConfig, phase: string): TokenProvider {
  return createTokenProvider({
    tokenUrl: config.tokenUrls.generic,
    ...config.demo,
    scope: scopeOf(phase),
  });
}

/** A GET through fetchAuth, resolving with the status. */
function fetchClient(tokens: TokenProvider, api: string): (path: string) => Promise<number> {
  const authed = fetchAuth(tokens, { origins: [api] });
  return async (path) => {
    const res = await authed(`${api}${path}`);
    await res.arrayBuffer();
    return res.status;
  };
}

/** A GET through a ky instance with kyAuth, resolving with the status. */
function kyClient(tokens: TokenProvider, api: string): (path: string) => Promise<number> {
  const client = ky.create({
    baseUrl: api,
    throwHttpErrors: false,
    ...kyAuth(tokens, { baseUrl: api }),
  });
  return async (path) => {
    const res = await client(path.slice(1));
    await res.arrayBuffer();
    return res.status;
  };
}

function setTokenInfo(s: SmokeStep, echo: Echo): void {
  if (echo.sub !== undefined) s.sub = echo.sub;
  if (echo.scope !== undefined) s.scope = echo.scope;
}

function expectStatuses(s: SmokeStep, expected: number[]): void {
  if (JSON.stringify(s.statuses) !== JSON.stringify(expected)) {
    throw new Error(`statuses ${JSON.stringify(s.statuses)}, expected ${JSON.stringify(expected)}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}
