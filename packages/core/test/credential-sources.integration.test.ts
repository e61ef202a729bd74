import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthServer,
  asLogged,
  type ClientKeys,
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
} from '@m2m-auth/test-utils';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromFile } from '../src/files/index.ts';
import {
  ConfigError,
  type CredentialSource,
  createTokenProvider,
  isOAuthError,
  memoryStore,
  type TokenEvent,
} from '../src/index.ts';
import { issue, scriptedEndpoint } from './helpers/scripted-endpoint.ts';

// Workload identity: the platform (Kubernetes, Entra, GitHub Actions) writes a JWT it signed
// to a file; we send it as `private_key_jwt` sends its own. The test-utils server verifies it
// for real against the client's registered key (signature, iss/sub, aud, exp, jti replay).
describe('credentials from outside: an assertion, a file, a function', () => {
  let auth: AuthServer;
  let platform: ClientKeys;
  let dir: string;

  beforeAll(async () => {
    platform = await generateClientKeys('RS256', 'platform-key');
    auth = await startAuthServer({
      clients: [
        ...DEFAULT_CLIENTS,
        { clientId: 'workload', clientSecret: 'unused-secret', jwks: platform.jwks },
        { clientId: 'mounted', clientSecret: 'first-secret' },
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'm2m-sources-'));
  });
  afterAll(async () => {
    await auth.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => auth.stats.reset());

  const tokenUrl = () => auth.tokenUrl('strict-rfc');
  /** What the platform would write: a JWT it signed, living `seconds` from now. */
  const platformToken = (seconds = 120) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'platform-key', typ: 'JWT' })
      .setIssuer('workload')
      .setSubject('workload')
      .setAudience(tokenUrl())
      .setJti(crypto.randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + seconds)
      .sign(platform.privateKey);
  };
  let files = 0;
  const tokenFile = async (content?: string) => {
    const path = join(dir, `token-${++files}`);
    writeFileSync(path, content ?? `${await platformToken()}\n`);
    return path;
  };
  /** Like kubelet's atomic writer: a new file renamed over the old (a new inode). */
  const rotate = (path: string, content: string) => {
    writeFileSync(`${path}.new`, content);
    renameSync(`${path}.new`, path);
  };
  const workload = (
    assertion: CredentialSource | string | (() => Promise<string>),
    events?: TokenEvent[],
  ) =>
    createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'workload',
      clientAssertion: { assertion },
      ...(events ? { onEvent: (event: TokenEvent) => events.push(event) } : {}),
    });
  const sentAssertions = () => auth.stats.assertions.map((a) => a.claims.jti);
  const jtiOf = (jwt: string) =>
    (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { jti: string })
      .jti;

  it("sends a file's assertion as private_key_jwt does: client_assertion_type, client_id, trimmed", async () => {
    const path = await tokenFile();
    const tokens = workload(fromFile(path));
    const token = await tokens.getToken();
    expect(await auth.verify(token.accessToken)).toMatchObject({ sub: 'workload' });
    expect(auth.stats.requests).toMatchObject([
      { status: 200, authMethod: 'private_key_jwt', clientId: 'workload' },
    ]);
    expect(auth.stats.assertions[0]?.header).toMatchObject({ kid: 'platform-key' });
  });

  it('uses a rewritten file at the next token request, with no refusal first and the same cache key', async () => {
    const events: TokenEvent[] = [];
    const path = await tokenFile();
    const tokens = workload(fromFile(path), events);
    const first = await tokens.getToken();
    const next = await platformToken();
    rotate(path, next);
    await tokens.invalidate(first.accessToken);
    await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(sentAssertions()[1]).toBe(jtiOf(next));
    const keys = events.filter((e) => e.type === 'token_fetched').map((e) => e.key);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]); // the key knows the file, not the JWT in it
  });

  it('re-reads a refused assertion once: rewritten while the request was out, it is used at once', async () => {
    const events: TokenEvent[] = [];
    const stale = await platformToken();
    const path = await tokenFile(stale);
    await workload(stale).getToken(); // the server has now seen its jti: a replay from here on
    auth.stats.reset();
    const tokens = workload(fromFile(path), events);
    const fresh = await platformToken();
    void auth.nextTokenRequest().then(() => rotate(path, fresh));
    await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(sentAssertions()).toEqual([jtiOf(stale), jtiOf(fresh)]);
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([
      { changed: true, credential: 'clientAssertion.assertion' },
    ]);
  });

  it('gives up after one re-read when the file did not change, and never shows the assertion', async () => {
    const events: TokenEvent[] = [];
    const stale = await platformToken();
    await workload(stale).getToken();
    auth.stats.reset();
    const tokens = workload(fromFile(await tokenFile(stale)), events);
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(isOAuthError(error) && error.error).toBe('invalid_client');
    expect(auth.stats.total).toBe(1);
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([{ changed: false }]);
    expect(asLogged(error) + asLogged(events)).not.toContain(stale);
  });

  it('reads a JWT again before the token request once its exp is within a minute', async () => {
    const vault = { reads: 0, next: [await platformToken(50), await platformToken()] };
    const tokens = workload(async () => vault.next[vault.reads++] as string);
    const first = await tokens.getToken();
    await tokens.invalidate(first.accessToken);
    await tokens.getToken();
    expect(vault.reads).toBe(2);
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200, 200]); // no replay refused
  });

  it('keeps a JWT that is not near its exp, and asks changed() once per token request, never per call', async () => {
    const calls = { read: 0, changed: 0 };
    const jwt = await platformToken(240);
    const source: CredentialSource = {
      id: 'counted',
      read: () => {
        calls.read++;
        return jwt;
      },
      changed: () => {
        calls.changed++;
        return false;
      },
    };
    const tokens = workload(source);
    await Promise.all(Array.from({ length: 50 }, () => tokens.getToken()));
    await tokens.getToken();
    expect(calls).toEqual({ read: 1, changed: 0 });
    expect(auth.stats.total).toBe(1);
  });

  it('asks changed() before a later token request and reads again only when it says so', async () => {
    // A server that takes an assertion twice (Entra does; this server's jti check would not).
    const endpoint = scriptedEndpoint();
    const calls = { read: 0, changed: 0 };
    let moved = false;
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'workload',
      clientAssertion: {
        assertion: {
          read: () => `jwt-${++calls.read}`,
          changed: () => {
            calls.changed++;
            return moved;
          },
        },
      },
      fetch: endpoint.fetch,
    });
    const first = await tokens.getToken();
    await tokens.invalidate(first.accessToken);
    const second = await tokens.getToken();
    expect(calls).toEqual({ read: 1, changed: 1 }); // asked, unchanged: not read
    moved = true;
    await tokens.invalidate(second.accessToken);
    await tokens.getToken();
    expect(calls).toEqual({ read: 2, changed: 2 });
    expect(endpoint.requests.map((r) => r.get('client_assertion'))).toEqual([
      'jwt-1',
      'jwt-1',
      'jwt-2',
    ]);
  });

  it('keys tokens by the source: one file path shared through a store makes one token request', async () => {
    const path = await tokenFile();
    const store = memoryStore();
    const options = { tokenUrl: tokenUrl(), clientId: 'workload', store };
    const a = createTokenProvider({ ...options, clientAssertion: { assertion: fromFile(path) } });
    const b = createTokenProvider({ ...options, clientAssertion: { assertion: fromFile(path) } });
    expect((await a.getToken()).accessToken).toBe((await b.getToken()).accessToken);
    // Another file, or a function (known by its object, in this process), is another key.
    const other = createTokenProvider({
      ...options,
      clientAssertion: { assertion: fromFile(await tokenFile()) },
    });
    await other.getToken();
    expect(auth.stats.total).toBe(2);
  });

  it('reads a client secret from a mounted file, again when the file is rewritten', async () => {
    const path = join(dir, 'client-secret');
    writeFileSync(path, 'first-secret\n');
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('generic'),
      clientId: 'mounted',
      clientSecret: fromFile(path),
      onEvent: (event) => events.push(event),
    });
    const first = await tokens.getToken();
    rotate(path, `${auth.control.rotateSecret('mounted', 'second-secret')}\n`);
    await tokens.invalidate(first.accessToken);
    await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200, 200]);
    // The secret is part of the key (as a hash): a new secret, a new key.
    const keys = events.filter((e) => e.type === 'token_fetched').map((e) => e.key);
    expect(new Set(keys).size).toBe(2);
    expect(asLogged(events)).not.toContain('second-secret');
  });

  it('fails a token request on a missing or empty file with an error that names no credential', async () => {
    const missing = workload(fromFile(join(dir, 'nowhere')));
    await expect(missing.getToken()).rejects.toMatchObject({ code: 'ENOENT' });
    const empty = workload(fromFile(await tokenFile('\n')));
    await expect(empty.getToken()).rejects.toThrow(
      'clientAssertion.assertion must be, or return, a non-empty string',
    );
    expect(auth.stats.total).toBe(0);
  });

  it('refuses options that cannot work, at construction', () => {
    expect(() => fromFile('')).toThrow(ConfigError);
    expect(() =>
      createTokenProvider({
        tokenUrl: tokenUrl(),
        clientId: 'workload',
        clientAssertion: { assertion: 'a.b.c', privateKey: platform.privateJwk },
      }),
    ).toThrow('not both');
    expect(() =>
      createTokenProvider({
        tokenUrl: tokenUrl(),
        clientId: 'workload',
        clientAssertion: { assertion: 42 as unknown as string },
      }),
    ).toThrow(ConfigError);
  });
});

// The vendors that say "wrong credentials" in their own words (research: Auth0, Keycloak).
describe('a refused credential in the words of each vendor', () => {
  it.each([
    ['invalid_client', 400],
    ['invalid_client', 401],
    ['access_denied', 401], // Auth0
    ['unauthorized_client', 401], // Keycloak
  ])('%s with %i re-reads a clientSecret function once', async (error, status) => {
    const endpoint = scriptedEndpoint();
    endpoint.queue.push({ status, body: { error } }, issue());
    const reads: string[] = [];
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'svc',
      clientSecret: () => {
        reads.push(reads.length === 0 ? 'old' : 'new');
        return reads.at(-1) as string;
      },
      fetch: endpoint.fetch,
    });
    await tokens.getToken();
    expect(reads).toEqual(['old', 'new']);
    expect(endpoint.requests).toHaveLength(2);
  });

  it.each([
    ['access_denied', 403], // Auth0: no grant for this API, a permission and not a credential
    ['unauthorized_client', 400],
  ])('%s with %i is not about the credential: no re-read', async (error, status) => {
    const endpoint = scriptedEndpoint();
    endpoint.queue.push({ status, body: { error } });
    let reads = 0;
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'svc',
      clientSecret: () => `secret-${++reads}`,
      fetch: endpoint.fetch,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error });
    expect(reads).toBe(1);
  });

  it('never quotes an assertion from outside that a server echoes back', async () => {
    const assertion = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ3b3JrbG9hZCJ9.c2lnbmF0dXJl';
    const endpoint = scriptedEndpoint(() => ({
      status: 401,
      body: { error: 'invalid_client', error_description: `refused ${assertion}` },
    }));
    const events: TokenEvent[] = [];
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'workload',
      clientAssertion: { assertion: async () => assertion },
      fetch: endpoint.fetch,
      onEvent: (event) => events.push(event),
    });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(endpoint.requests[0]?.get('client_assertion')).toBe(assertion);
    expect(asLogged(error) + asLogged(events)).not.toContain(assertion);
  });
});
