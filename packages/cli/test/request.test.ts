import { describe, expect, it } from 'vitest';
import {
  JWT_PATTERN,
  runCli,
  runRequest,
  secretEnv,
  sha256,
  unreachableUrl,
  useCliTestServers,
  vendorFlags,
} from './helpers/run-cli.ts';

const servers = useCliTestServers();

/** `m2m-auth request <args>` with the generic profile's token flags and secret. */
const request = (...args: string[]) => runRequest(servers.auth, args);

describe('m2m-auth request', () => {
  it('-i prints the status line, the headers, a blank line, then the body', async () => {
    const result = await request('-i', `${servers.api.url}/echo/x`);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [head = '', body = ''] = result.stdout.split('\n\n');
    const [status, ...headers] = head.split('\n');
    expect(status).toBe('HTTP 200 OK');
    expect(headers).toContain('content-type: application/json');
    expect(JSON.parse(body)).toMatchObject({ method: 'GET', path: '/echo/x', sub: 'demo-client' });
    expect(servers.auth.stats.issued).toBe(1);
    expect(servers.api.counters).toMatchObject({ total: 1, withToken: 1, unauthorized: 0 });
  });

  it('without -i prints the status and headers on stderr and the body alone on stdout; -s quiets stderr', async () => {
    const result = await request(`${servers.api.url}/echo/x`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ path: '/echo/x' });
    expect(result.stderr.split('\n')[0]).toBe('HTTP 200 OK');
    expect(result.stderr).toContain('content-type: application/json');
    const silent = await request('-s', `${servers.api.url}/echo/x`);
    expect(silent).toMatchObject({ code: 0, stderr: '' });
  });

  it('each seed vendor’s flags reach the API', async () => {
    for (const profile of ['cognito', 'tenant', 'generic'] as const) {
      const args = [
        'request',
        `${servers.api.url}/echo/${profile}`,
        ...vendorFlags(servers.auth, profile),
      ];
      const result = await runCli(args, { env: secretEnv() });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ path: `/echo/${profile}` });
    }
    expect(servers.auth.stats.byAuthMethod()).toMatchObject({ basic: 2, post: 1 });
    expect(servers.api.counters).toMatchObject({ withToken: 3, unauthorized: 0 });
  });

  it('sends -X, -d and -H: the echo route sees the method and the exact body', async () => {
    const body = '{"amount":42}';
    const result = await request(
      '-X',
      'put',
      '-H',
      'Content-Type: application/json',
      '-d',
      body,
      `${servers.api.url}/echo/pay`,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      method: 'PUT',
      bodyLength: body.length,
      bodySha256: sha256(body),
    });
  });

  it('-d alone means POST; an Authorization header of your own is sent as is, with no token fetched', async () => {
    const posted = await request('-d', 'a=1', `${servers.api.url}/echo`);
    expect(JSON.parse(posted.stdout)).toMatchObject({ method: 'POST', bodySha256: sha256('a=1') });
    servers.auth.stats.reset();
    const own = await request('-H', 'Authorization: Bearer mine', `${servers.api.url}/echo`);
    expect(own.code).toBe(0); // a 401 from the API is still a response
    expect(servers.api.requests.at(-1)).toMatchObject({
      authorization: 'Bearer mine',
      status: 401,
    });
    expect(servers.auth.stats.total).toBe(0);
  });

  it('passes a 403 through with exit 0, and no token refresh', async () => {
    const result = await request('-i', `${servers.api.url}/forbidden`);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^HTTP 403 Forbidden\n/);
    expect(result.stdout).toContain('{"error":"insufficient_scope"}');
    expect(servers.auth.stats.issued).toBe(1);
    expect(servers.api.counters.byPath['/forbidden']).toBe(1);
  });

  it('--fail: a 403 exits 22 with no body on stdout', async () => {
    const result = await request('--fail', `${servers.api.url}/forbidden`);
    expect(result).toMatchObject({ code: 22, stdout: '' });
    expect(result.stderr).toBe('m2m-auth: the server answered HTTP 403 Forbidden (--fail)\n');
    expect((await request('--fail', `${servers.api.url}/echo`)).code).toBe(0);
  });

  it('after revokeAll a fresh process fetches a new token and succeeds', async () => {
    expect((await request(`${servers.api.url}/echo`)).code).toBe(0);
    servers.auth.control.revokeAll();
    const result = await request(`${servers.api.url}/echo`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sub: 'demo-client' });
    expect(servers.auth.stats.issued).toBe(2);
    expect(servers.api.counters).toMatchObject({ total: 2, unauthorized: 0 });
  });
});

describe('m2m-auth request: failures', () => {
  it('wrong secret exits 4 before the API is called, with nothing secret printed', async () => {
    const args = ['request', `${servers.api.url}/echo`, ...vendorFlags(servers.auth, 'generic')];
    const result = await runCli(args, { env: secretEnv('wrong-secret-77b1') });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: invalid_client');
    expect(result.stdout + result.stderr).not.toMatch(/wrong-secret-77b1|eyJ/);
    expect(servers.api.counters.total).toBe(0);
  });

  it('a URL that cannot be reached exits 6 (NETWORK), naming host and port, the token not printed', async () => {
    const url = await unreachableUrl('/echo');
    const result = await request(url);
    expect(result.code).toBe(6);
    expect(result.stderr).toBe(
      `m2m-auth: the URL could not be reached: Failed to connect to 127.0.0.1 port ${new URL(url).port}: Connection refused\n`,
    );
    expect(result.stderr).not.toMatch(JWT_PATTERN);
    expect(servers.auth.stats.issued).toBe(1);
  });

  it('a plain-http URL that is not loopback exits 3 (CONFIG) before any token request', async () => {
    const result = await request('http://api.example.com/echo');
    expect(result.code).toBe(3);
    expect(servers.auth.stats.total).toBe(0);
  });

  it.each([
    [[]],
    [['https://a.example/x', 'https://b.example/y']],
    [['not a url']],
    [['-H', 'no colon', 'https://a.example/x']],
  ])('usage error %j exits 2', async (args) => {
    const result = await request(...args);
    expect(result.code).toBe(2);
    expect(servers.auth.stats.total).toBe(0);
  });

  it.each(['--help', '-h'])('%s shows the options and an example per seed vendor', async (flag) => {
    const result = await runCli(['request', flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: m2m-auth request URL');
    expect(result.stdout).toContain('--client-id-in-body'); // Fenris
    expect(result.stdout).toContain('--auth post --scope tenant/acme'); // Fenergo
    expect(result.stdout).toContain("--client-id 'my:client id+1'"); // the platform
  });

  it('replays a 401 once with a fresh token, then prints the second 401 as it came', async () => {
    const result = await request('-i', `${servers.api.url}/always-401`);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('HTTP 401 Unauthorized');
    expect(servers.api.counters.byPath['/always-401']).toBe(2);
    expect(servers.auth.stats.issued).toBe(2); // the first token, invalidated; a fresh one
    const sent = servers.api.requests.map((r) => r.authorization);
    expect(sent[0]).not.toBe(sent[1]);
  });
});
