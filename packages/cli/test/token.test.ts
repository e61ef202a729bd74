import { describe, expect, it } from 'vitest';
import {
  JWT_PATTERN,
  opaqueTokenServer,
  type RunOptions,
  runCli,
  secretEnv,
  unreachableUrl,
  useCliTestServers,
  vendorFlags,
} from './helpers/run-cli.ts';

const servers = useCliTestServers();

/** `m2m-auth token <args>`, with the secret in the environment unless told otherwise. */
const token = (args: string[], options: RunOptions = { env: secretEnv() }) =>
  runCli(['token', ...args], options);

describe('m2m-auth token: the seed vendors', () => {
  it('Fenris (cognito): Basic and client_id in the body, 24 h from a string expires_in', async () => {
    const { auth } = servers;
    const flags = [...vendorFlags(auth, 'cognito'), '--json'];
    const result = await token(flags);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(result.stdout) as { access_token: string; expires_in: number };
    expect(await auth.verify(json.access_token)).toMatchObject({ sub: 'demo-client' });
    expect(json.expires_in).toBeGreaterThan(23 * 3600);
    expect(auth.stats.byAuthMethod()).toMatchObject({ basic: 1, post: 0, both: 0 });
  });

  it('--client-id-in-body sends Basic and client_id in the form, never the secret there', async () => {
    const server = await opaqueTokenServer('opaque-token-0123456789');
    try {
      const flags = [
        '--token-url',
        server.tokenUrl,
        '--client-id',
        'fenris id',
        '--client-id-in-body',
      ];
      const result = await token(flags, { env: { M2M_AUTH_CLIENT_SECRET: 's' } });
      expect(result).toMatchObject({ code: 0, stdout: 'opaque-token-0123456789\n' });
      const [seen] = server.received;
      expect(seen?.authorization).toBe(`Basic ${btoa('fenris+id:s')}`);
      expect(Object.fromEntries(seen?.form ?? [])).toEqual({
        grant_type: 'client_credentials',
        client_id: 'fenris id',
      });
    } finally {
      await server.close();
    }
  });

  it('Fenergo (tenant): credentials in the body and a tenant scope', async () => {
    const { auth } = servers;
    const result = await token(vendorFlags(auth, 'tenant'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(auth.stats.byAuthMethod()).toMatchObject({ post: 1, basic: 0, both: 0 });
    expect(auth.stats.requests.map((r) => r.scope)).toEqual(['tenant/acme']);
  });

  it('the platform (generic): a self-chosen client id, default Basic, secret from stdin', async () => {
    const { auth } = servers;
    const flags = ['--token-url', auth.tokenUrl('generic'), '--client-id', 'my:client id+1'];
    const piped = await token([...flags, '--client-secret-stdin'], {
      stdin: 's3cr%t:&=+/ü\nthe rest of stdin is not read\n',
    });
    expect(piped).toMatchObject({ code: 0, stderr: '' });
    expect(auth.stats.byAuthMethod()).toMatchObject({ basic: 1 });
    expect(auth.stats.byClient()).toEqual({ 'my:client id+1': 1 });
  });

  it('--auth auto finds post for the tenant profile', async () => {
    const { auth } = servers;
    const flags = vendorFlags(auth, 'tenant').map((flag) => (flag === 'post' ? 'auto' : flag));
    const result = await token(flags);
    expect(result.code).toBe(0);
    expect(auth.stats.requests.at(-1)).toMatchObject({ authMethod: 'post', issued: true });
    expect(auth.stats.issued).toBe(1);
  });
});

describe('m2m-auth token: output', () => {
  it('--json prints the response fields, expires_in as whole seconds left', async () => {
    const flags = [...vendorFlags(servers.auth, 'generic'), '--scope', 'read', '--json'];
    const result = await token(flags);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    const fields = ['access_token', 'token_type', 'expires_in', 'expires_at', 'scope'];
    expect(Object.keys(json)).toEqual(fields);
    expect(json).toMatchObject({ token_type: 'Bearer', scope: 'read' });
    expect(Number.isInteger(json['expires_in'])).toBe(true);
    expect(json['expires_in']).toBeLessThanOrEqual(3600); // the generic profile's lifetime
    expect(new Date(json['expires_at'] as string).toISOString()).toBe(json['expires_at']);
  });

  it('--decode prints the JWT header and claims, --audience included', async () => {
    const flags = [...vendorFlags(servers.auth, 'generic'), '--audience', 'billing', '--decode'];
    const result = await token(flags);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      header: { alg: 'ES256' },
      claims: { sub: 'demo-client', aud: 'billing', iss: servers.auth.url },
    });
    expect(result.stdout).not.toMatch(JWT_PATTERN);
  });

  it('--decode of an opaque token: exit 9, the token not printed', async () => {
    const opaque = 'opaque-token-0123456789';
    const server = await opaqueTokenServer(opaque);
    try {
      const result = await token(['--token-url', server.tokenUrl, '--client-id', 'c', '--decode'], {
        env: { M2M_AUTH_CLIENT_SECRET: 's' },
      });
      expect(result.code).toBe(9);
      expect(result.stderr).toMatch(/^m2m-auth: the access token is not a JWT/);
      expect(result.stdout + result.stderr).not.toContain(opaque);
    } finally {
      await server.close();
    }
  });
});

describe('m2m-auth token: the secret', () => {
  it.each([
    ['--client-secret=hunter2-value'],
    ['--client-secret', 'hunter2-value'],
    ['--secret', 'hunter2-value'],
  ])('refuses %s with exit 2, says why and what to use, never echoes it', async (...flag) => {
    const result = await token([...vendorFlags(servers.auth, 'generic'), ...flag]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^m2m-auth: --(client-)?secret is refused/);
    expect(result.stderr).toMatch(
      /`ps`.*shell history.*--client-secret-env NAME.*--client-secret-stdin/s,
    );
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    expect(servers.auth.stats.total).toBe(0);
  });

  it('never echoes a secret put before the command name, or given where a variable name goes', async () => {
    const before = await runCli(['--client-secret=hunter2-value', 'token']);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/^m2m-auth: --client-secret is refused/);
    const misplaced = await runCli(['hunter2-value', 'token']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/^m2m-auth: unknown command\n/);
    const asName = await token([
      ...vendorFlags(servers.auth, 'generic'),
      '--client-secret-env',
      's3cr3t-hunter2-value',
    ]);
    expect(asName.code).toBe(2);
    expect(asName.stderr).toContain(
      'the environment variable given to --client-secret-env is not set',
    );
    for (const result of [before, misplaced, asName]) {
      expect(result.stdout + result.stderr).not.toContain('hunter2');
    }
  });

  it.each(['SOMEVALUE', 'HUNTER2SECRETVALUE', 'sk_live_hunter2'])(
    'never repeats %s given to --client-secret-env whose variable is unset: a secret pasted there looks like a name',
    async (value) => {
      const flags = [
        ...vendorFlags(servers.auth, 'generic').slice(0, 4),
        '--client-secret-env',
        value,
      ];
      const result = await token(flags, { env: {} });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^m2m-auth: no client secret: the environment variable given to --client-secret-env is not set, or empty\n/,
      );
      expect(result.stdout + result.stderr).not.toContain(value);
      expect(servers.auth.stats.total).toBe(0);
    },
  );

  it('a refused secret flag points at the help of the command typed, not m2m-auth m2m-auth', async () => {
    const after = await token([...vendorFlags(servers.auth, 'generic'), '--client-secret', 'x']);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/\n {2}run 'm2m-auth token --help' for usage\n$/);
    const before = await runCli(['--client-secret=x', 'token']);
    expect(before.stderr).toMatch(/\n {2}run 'm2m-auth --help' for usage\n$/);
    const request = await runCli(['request', 'https://api.example/x', '--secret', 'x']);
    expect(request.stderr).toMatch(/\n {2}run 'm2m-auth request --help' for usage\n$/);
    for (const result of [after, before, request]) {
      expect(result.stderr).not.toContain('m2m-auth m2m-auth');
    }
  });

  it('wrong secret: exit 4 with invalid_client, no secret and no token in the output', async () => {
    const wrong = 'wrong-secret-4f2a9c';
    const result = await token(vendorFlags(servers.auth, 'generic'), { env: secretEnv(wrong) });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^m2m-auth: the token endpoint refused the request \(HTTP 401\)/);
    expect(result.stderr).toContain('  error: invalid_client\n');
    expect(result.stderr).toMatch(/ {2}error_description: .+\n/);
    expect(result.stderr).not.toContain(wrong);
    expect(result.stderr).not.toMatch(JWT_PATTERN);
    expect(servers.auth.stats.total).toBe(1); // 401 is not retried
  });

  it('an unset secret variable and two secret sources are usage errors, before any request', async () => {
    const flags = vendorFlags(servers.auth, 'generic');
    const unset = await token(flags, { env: {} });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain(
      'the environment variable given to --client-secret-env is not set, or empty',
    );
    const noSecretFlag = await token(flags.slice(0, 4), { env: {} });
    expect(noSecretFlag.code).toBe(2);
    expect(noSecretFlag.stderr).toContain('M2M_AUTH_CLIENT_SECRET is not set');
    const both = await token([...flags, '--client-secret-stdin'], { stdin: 'x\n' });
    expect(both.code).toBe(2);
    expect(servers.auth.stats.total).toBe(0);
  });
});

describe('m2m-auth token: one exit code per failure kind', () => {
  /** The generic profile's flags against another token URL. */
  const run = (tokenUrl: string, ...extra: string[]) =>
    token(['--token-url', tokenUrl, ...vendorFlags(servers.auth, 'generic').slice(2), ...extra]);

  it('an unreachable token URL exits 6 (NETWORK), naming the host and port that refused, as curl does', async () => {
    const url = await unreachableUrl('/oauth/v2/token');
    const result = await run(url);
    expect(result.code).toBe(6);
    expect(result.stderr).toBe(
      `m2m-auth: the token endpoint could not be reached: Failed to connect to 127.0.0.1 port ${new URL(url).port}: Connection refused\n`,
    );
  });

  it('an HTML token response exits 7 (INVALID_RESPONSE)', async () => {
    servers.auth.control.inject({ type: 'html' });
    const result = await run(servers.auth.tokenUrl('generic'));
    expect(result.code).toBe(7);
    expect(servers.auth.stats.total).toBe(1);
  });

  it('a plain-http token URL that is not loopback exits 3 (CONFIG), in flag names', async () => {
    const result = await run('http://auth.example.com/oauth/v2/token');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--allow-insecure-http');
  });

  it('a reserved --param exits 3 (CONFIG); a malformed one, a bad --auth or a stray argument 2', async () => {
    const url = servers.auth.tokenUrl('generic');
    expect((await run(url, '--param', 'grant_type=password')).code).toBe(3);
    expect((await run(url, '--param', 'novalue')).code).toBe(2);
    expect((await run(url, '--auth', 'digest')).code).toBe(2);
    const stray = await run(url, 'demo-secret');
    expect(stray.code).toBe(2);
    expect(stray.stderr).not.toContain('demo-secret');
    expect(servers.auth.stats.total).toBe(0);
  });
});

describe('m2m-auth token --help', () => {
  it.each(['--help', '-h'])('%s shows the flags and an example per seed vendor', async (flag) => {
    const result = await token([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: m2m-auth token');
    expect(result.stdout).toContain('--client-id-in-body'); // Fenris
    expect(result.stdout).toContain('--auth post --scope tenant/acme'); // Fenergo
    expect(result.stdout).toContain("--client-id 'my:client id+1'"); // the platform
  });
});
