import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthServer,
  asLogged,
  type ClientKeys,
  DEFAULT_CLIENTS,
  generateClientKeys,
  type ResourceServer,
  startAuthServer,
  startResourceServer,
} from '@m2m-auth/test-utils';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRequestPolicy } from '../src/adapter.ts';
import { fromFile } from '../src/files/index.ts';
import {
  ConfigError,
  createTokenProvider,
  memoryStore,
  type TokenEvent,
  type TokenProviderOptions,
} from '../src/index.ts';
import { issue, scriptedEndpoint } from './helpers/scripted-endpoint.ts';

const TYPE = 'urn:ietf:params:oauth:token-type:';
const IDP = 'https://kubernetes.default.svc';

// RFC 8693 against test-utils' strict-rfc profile, which verifies every subject and actor
// token for real (its own access tokens, or JWTs of a registered issuer) and answers
// issued_token_type, with N_A for tokens that are not access tokens.
describe('the token-exchange grant', () => {
  let auth: AuthServer;
  let api: ResourceServer;
  let idp: ClientKeys;
  let dir: string;
  let files = 0;

  beforeAll(async () => {
    idp = await generateClientKeys('ES256', 'cluster-key');
    auth = await startAuthServer({
      clients: [...DEFAULT_CLIENTS, { clientId: IDP, clientSecret: 'unused', jwks: idp.jwks }],
    });
    api = await startResourceServer({ authServer: auth });
    dir = mkdtempSync(join(tmpdir(), 'm2m-token-exchange-'));
  });
  afterAll(async () => {
    await api.close();
    await auth.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    auth.stats.reset();
    api.reset();
  });

  const tokenUrl = () => auth.tokenUrl('strict-rfc');
  /** A projected service-account token, as the kubelet writes it. */
  const serviceAccountToken = (sub = 'system:serviceaccount:billing:worker', seconds = 600) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'cluster-key' })
      .setIssuer(IDP)
      .setSubject(sub)
      .setAudience(tokenUrl())
      .setIssuedAt(iat)
      .setExpirationTime(iat + seconds)
      .sign(idp.privateKey);
  };
  const tokenFile = async (content?: string) => {
    const path = join(dir, `token-${++files}`);
    writeFileSync(path, content ?? (await serviceAccountToken()));
    return path;
  };
  const rotate = (path: string, content: string) => {
    writeFileSync(`${path}.new`, content);
    renameSync(`${path}.new`, path);
  };
  const exchanger = (
    grant: Partial<Extract<TokenProviderOptions['grant'], { type: 'token-exchange' }>>,
    extra: Partial<TokenProviderOptions> = {},
  ) =>
    createTokenProvider({
      tokenUrl: tokenUrl(),
      clientAuth: 'none',
      grant: { type: 'token-exchange', subjectTokenType: 'jwt', ...grant } as never,
      ...extra,
    });
  function recordingFetch() {
    const forms: URLSearchParams[] = [];
    return {
      forms,
      fetch: (url: string, init: RequestInit) => {
        forms.push(new URLSearchParams(String(init.body)));
        return globalThis.fetch(url, init);
      },
    };
  }

  it('exchanges a service-account token from a file: the RFC 8693 form, and issued_token_type', async () => {
    const wire = recordingFetch();
    const tokens = exchanger(
      { subjectToken: fromFile(await tokenFile()), requestedTokenType: 'access_token' },
      {
        audience: 'billing-api',
        resource: 'https://api.example/billing',
        scope: 'invoices.read',
        fetch: wire.fetch,
      },
    );
    const token = await tokens.getToken();
    expect(await auth.verify(token.accessToken)).toMatchObject({
      sub: 'system:serviceaccount:billing:worker',
      aud: 'billing-api',
      scope: 'invoices.read',
    });
    expect(token.tokenType).toBe('Bearer');
    expect(token.extras).toMatchObject({ issued_token_type: `${TYPE}access_token` });
    const form = Object.fromEntries(wire.forms[0] ?? []);
    expect(form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: `${TYPE}jwt`,
      requested_token_type: `${TYPE}access_token`,
      audience: 'billing-api',
      resource: 'https://api.example/billing',
      scope: 'invoices.read',
    });
    expect(form).not.toHaveProperty('client_id');
    expect(form).not.toHaveProperty('actor_token');
  });

  it("delegates: a caller's access token as subject, a workload token as actor, the client with Basic", async () => {
    const caller = await createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
    }).getToken();
    auth.stats.reset();
    const wire = recordingFetch();
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      grant: {
        type: 'token-exchange',
        subjectToken: caller.accessToken,
        subjectTokenType: 'access_token',
        actorToken: fromFile(await tokenFile()),
        actorTokenType: 'jwt',
      },
      fetch: wire.fetch,
    });
    const token = await tokens.getToken();
    expect(await auth.verify(token.accessToken)).toMatchObject({ sub: 'demo-client' });
    expect(auth.stats.requests).toMatchObject([{ status: 200, authMethod: 'basic' }]);
    expect(wire.forms[0]?.get('actor_token_type')).toBe(`${TYPE}jwt`);
  });

  it('takes token_type N_A for a token that is not an access token, and hands it out as Bearer', async () => {
    const token = await exchanger({
      subjectToken: await serviceAccountToken(),
      requestedTokenType: 'jwt',
    }).getToken();
    expect(token.tokenType).toBe('Bearer');
    expect(token.extras).toMatchObject({ issued_token_type: `${TYPE}jwt` });
    // N_A is an exchange's answer only: client credentials still refuse it.
    const endpoint = scriptedEndpoint(() => issue(3600, { token_type: 'N_A' }));
    await expect(
      createTokenProvider({
        tokenUrl: 'https://auth.vendor.example/token',
        clientId: 'c',
        clientSecret: 's',
        fetch: endpoint.fetch,
      }).getToken(),
    ).rejects.toMatchObject({ code: 'M2M_UNSUPPORTED_TOKEN_TYPE' });
  });

  it('uses a rewritten subject file at the next request, and re-reads a refused one once', async () => {
    const events: TokenEvent[] = [];
    const path = await tokenFile();
    const tokens = exchanger(
      { subjectToken: fromFile(path) },
      {
        onEvent: (event) => events.push(event),
      },
    );
    const first = await tokens.getToken();
    rotate(path, await serviceAccountToken('system:serviceaccount:billing:rotated'));
    await tokens.invalidate(first.accessToken);
    const second = await tokens.getToken();
    expect(await auth.verify(second.accessToken)).toMatchObject({
      sub: 'system:serviceaccount:billing:rotated',
    });
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200, 200]);
    // Expired on disk, rewritten while the request is out: refused once, read again, used.
    rotate(path, await serviceAccountToken('system:serviceaccount:billing:stale', -120));
    await tokens.invalidate(second.accessToken);
    const fresh = await serviceAccountToken('system:serviceaccount:billing:fresh');
    void auth.nextTokenRequest().then(() => rotate(path, fresh));
    auth.stats.reset();
    const third = await tokens.getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([400, 200]);
    expect(await auth.verify(third.accessToken)).toMatchObject({
      sub: 'system:serviceaccount:billing:fresh',
    });
    expect(events.filter((e) => e.type === 'secret_reread')).toMatchObject([
      { changed: true, credential: 'grant.subjectToken' },
    ]);
    // One file, one key: the rotating tokens in it never changed the cache key.
    const keys = new Set(events.filter((e) => e.type === 'token_fetched').map((e) => e.key));
    expect(keys.size).toBe(1);
  });

  it('keys tokens by the subject source: one file path shares, another subject does not', async () => {
    const store = memoryStore();
    const path = await tokenFile();
    const a = exchanger({ subjectToken: fromFile(path) }, { store });
    const b = exchanger({ subjectToken: fromFile(path) }, { store });
    expect((await a.getToken()).accessToken).toBe((await b.getToken()).accessToken);
    await exchanger({ subjectToken: fromFile(await tokenFile()) }, { store }).getToken();
    await exchanger(
      { subjectToken: fromFile(path), requestedTokenType: 'jwt' },
      { store },
    ).getToken();
    expect(auth.stats.total).toBe(3);
  });

  it('works with the request exchange adapters use: a revoked token refreshes once by exchanging again', async () => {
    const tokens = exchanger({ subjectToken: fromFile(await tokenFile()) });
    const policy = createRequestPolicy(tokens, { origins: [api.url] });
    const call = () =>
      policy.send({ url: `${api.url}/things`, method: 'GET' }, (exchange) => {
        const headers = new Headers();
        exchange?.apply(headers);
        return fetch(`${api.url}/things`, { headers });
      });
    expect((await call()).status).toBe(200);
    auth.control.revokeAll();
    expect((await call()).status).toBe(200);
    expect(api.counters.unauthorized).toBe(1);
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('never shows a subject or actor token a server echoes back', async () => {
    const [subject, actor] = [await serviceAccountToken(), await serviceAccountToken('actor')];
    const endpoint = scriptedEndpoint(() => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: `bad ${subject} for ${actor}` },
    }));
    const events: TokenEvent[] = [];
    const error = await exchanger(
      { subjectToken: async () => subject, actorToken: actor, actorTokenType: 'jwt' },
      { fetch: endpoint.fetch, onEvent: (event) => events.push(event) },
    )
      .getToken()
      .catch((e: unknown) => e);
    expect(endpoint.requests[0]?.get('subject_token')).toBe(subject);
    const logged = asLogged(error) + asLogged(events);
    expect(logged).toContain('bad [REDACTED] for [REDACTED]');
    expect(logged).not.toContain(subject);
  });

  it('refuses options that cannot work, at construction', () => {
    const error = (grant: object, extra: object = {}) => {
      try {
        createTokenProvider({
          tokenUrl: tokenUrl(),
          clientAuth: 'none',
          grant: { type: 'token-exchange', ...grant } as never,
          ...extra,
        });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(error({ subjectTokenType: 'jwt' })).toMatch(/grant.subjectToken must be/);
    expect(error({ subjectToken: 't' })).toMatch(/grant.subjectTokenType must be a token type/);
    expect(error({ subjectToken: 't', subjectTokenType: 'passport' })).toMatch(/not one of/);
    expect(error({ subjectToken: 't', subjectTokenType: 'jwt', actorToken: 'a' })).toMatch(
      /grant.actorTokenType must be/,
    );
    expect(error({ subjectToken: 't', subjectTokenType: 'jwt', actorTokenType: 'jwt' })).toMatch(
      /needs grant.actorToken/,
    );
    expect(
      error({ subjectToken: 't', subjectTokenType: 'urn:ietf:params:aws:token-type:aws4_request' }),
    ).toBe('accepted');
    expect(
      error({ subjectToken: 't', subjectTokenType: 'jwt' }, { params: { subject_token: 'x' } }),
    ).toMatch(/params.subject_token is set by m2m-auth/);
  });
});
