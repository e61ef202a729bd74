/**
 * Step 4: what the servers saw while a runtime ran, phase by phase (each phase has its own
 * scope and path, see smoke.ts): a runtime's own "ok" is not trusted on its own.
 */
import type { AuthServer, ResourceServer } from '@m2m-auth/test-utils';
import {
  METHOD_PHASES,
  REDIRECT_TARGET,
  type SmokeConfig,
  type SmokeResult,
  scopeOf,
} from './smoke.ts';

/** The servers' records of what actually happened (the smoke's own steps are reported apart). */
export function checkRecords(
  result: SmokeResult,
  auth: AuthServer,
  api: ResourceServer,
  revokes: number,
  config: SmokeConfig,
): string[] {
  const problems: string[] = [];
  if (!result.ok && result.steps.every((s) => s.ok)) problems.push('the smoke reported ok: false');
  const expectedSteps = [
    ...METHOD_PHASES.filter((p) => p !== 'dpop' || config.dpop).map((p) => `auth:${p}`),
    'cold-fetch',
    'cold-ky',
    'revoke:warm',
    'revoke:fetch',
    'revoke:ky',
    ...(config.dpop ? ['redirect:dpop'] : []),
  ];
  const names = result.steps.map((s) => s.name);
  if (JSON.stringify(names) !== JSON.stringify(expectedSteps)) {
    problems.push(`steps ${names.join(',')}, expected ${expectedSteps.join(',')}`);
  }

  const tokenRequests = (phase: string) =>
    auth.stats.requests.filter((r) => r.scope === scopeOf(phase));
  const apiRequests = (prefix: string) => api.requests.filter((r) => r.path.startsWith(prefix));
  const expect = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  };

  // Each client auth method: one token request, by that method, on that profile.
  const wire: Record<string, [profile: string, method: string]> = {
    client_secret_basic: ['generic', 'basic'],
    client_secret_basic_raw: ['strict-rfc', 'basic'],
    client_secret_post: ['strict-rfc', 'post'],
    private_key_jwt: ['strict-rfc', 'private_key_jwt'],
    client_secret_jwt: ['strict-rfc', 'client_secret_jwt'],
  };
  for (const [phase, [profile, method]] of Object.entries(wire)) {
    const reqs = tokenRequests(phase);
    expect(
      `${phase}: token requests (profile, method, status)`,
      reqs.map((r) => [r.profile, r.authMethod, r.status]),
      [[profile, method, 200]],
    );
    expect(
      `${phase}: API statuses`,
      apiRequests(`/echo/${phase}/`).map((r) => [r.path, r.status]),
      [
        [`/echo/${phase}/fetch`, 200],
        [`/echo/${phase}/ky`, 200],
      ],
    );
  }
  for (const phase of ['private_key_jwt', 'client_secret_jwt']) {
    const claims = tokenRequests(phase)[0]?.assertion?.claims;
    expect(
      `${phase}: assertion iss/sub/aud`,
      [claims?.iss, claims?.sub, claims?.aud],
      [config.jwtClient.clientId, config.jwtClient.clientId, config.tokenUrls.strict],
    );
  }
  if (config.dpop) {
    // The token endpoint's nonce dance (400 use_dpop_nonce, then 200), then DPoP-bound calls.
    expect(
      'dpop: token requests (profile, status, proof outcome)',
      tokenRequests('dpop').map((r) => [r.profile, r.status, r.dpop?.outcome]),
      [
        ['dpop', 400, 'use_dpop_nonce'],
        ['dpop', 200, 'accepted'],
      ],
    );
    const calls = apiRequests('/echo/dpop/');
    const last = (path: string) =>
      calls
        .filter((r) => r.path === path)
        .map((r) => r.status)
        .at(-1);
    expect(
      'dpop: final API statuses',
      [last('/echo/dpop/fetch'), last('/echo/dpop/ky')],
      [200, 200],
    );
    const schemes = [...new Set(calls.map((r) => r.authorization?.split(' ')[0]))];
    expect('dpop: Authorization schemes', schemes, ['DPoP']);
    expect(
      'dpop: refused proofs at the API',
      calls.filter((r) => r.dpop?.outcome === 'invalid_dpop_proof').length,
      0,
    );
  }

  // N concurrent cold calls: one token request each, every call 200 at the first try.
  for (const phase of ['cold-fetch', 'cold-ky']) {
    expect(
      `${phase}: token requests`,
      tokenRequests(phase).map((r) => r.status),
      [200],
    );
    const calls = apiRequests(`/echo/${phase}/`);
    expect(`${phase}: API calls`, calls.length, config.concurrency);
    expect(`${phase}: non-200 answers`, calls.filter((r) => r.status !== 200).length, 0);
  }

  // Revoke-all, twice: each time one 401, one refresh, one replay.
  expect('revoke-all calls', revokes, 2);
  expect(
    'revoke: token requests',
    tokenRequests('revoke').map((r) => r.status),
    [200, 200, 200],
  );
  for (const [path, statuses] of [
    ['/echo/revoke/warm', [200]],
    ['/echo/revoke/fetch', [401, 200]],
    ['/echo/revoke/ky', [401, 200]],
  ] as const) {
    expect(
      `${path}: API statuses`,
      apiRequests(path)
        .filter((r) => r.path === path)
        .map((r) => r.status),
      statuses,
    );
  }

  if (config.dpop) {
    // The 307 with its body (token and proof), then the landing: a new provider learns the
    // API's nonce there (401 use_dpop_nonce, replayed), its proofs made for that URL.
    expect(
      'redirect: API requests (path, method, body, status, proof outcome)',
      api.requests
        .filter((r) => r.path === '/redirect' || r.path === REDIRECT_TARGET)
        .map((r) => [r.path, r.method, r.bodyLength, r.status, r.dpop?.outcome]),
      [
        ['/redirect', 'POST', 100, 307, undefined],
        [REDIRECT_TARGET, 'POST', 100, 401, 'use_dpop_nonce'],
        [REDIRECT_TARGET, 'POST', 100, 200, 'accepted'],
      ],
    );
  }

  // Nothing else reached the servers.
  const expectedTokenRequests = 5 + (config.dpop ? 2 + 2 : 0) + 2 + 3;
  expect('token requests in all', auth.stats.total, expectedTokenRequests);
  return problems;
}
