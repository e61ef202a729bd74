/**
 * mTLS (RFC 8705 `tls_client_auth`) with the recipe of docs/mtls.md: an undici `Agent` that
 * carries the client certificate, and undici's own `fetch` over it, given to the provider
 * (token requests) and to `fetchAuth` (API calls). Against a real HTTPS server on 127.0.0.1
 * that requires a client certificate from its CA; certificates are generated per run with
 * `openssl` (see support/tls-token-server.ts).
 */
import { inspect } from 'node:util';
import { fetchAuth } from '@m2m-auth/fetch';
import { Agent, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, OAuthError, TokenNetworkError } from '../src/errors.ts';
import { createTokenProvider } from '../src/token-provider.ts';
import {
  generatePki,
  type KeyPair,
  opensslBinary,
  startTlsTokenServer,
  type TestPki,
  type TlsTokenServer,
  thumbprint,
} from './support/tls-token-server.ts';

// --- The recipe, as docs/mtls.md shows it -------------------------------------------------

/**
 * A fetch that sends every request over `dispatcher`. undici's `fetch` and `Agent` come from
 * the same package: Node's global fetch bundles its own undici and rejects an `Agent` from
 * another major version. undici's fetch does not recognise Node's global `Request` class, so
 * a `Request` (ky sends those) is passed on as its URL and parts.
 */
function fetchWithDispatcher(dispatcher: Agent) {
  return (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request =
      input instanceof Request
        ? {
            method: input.method,
            headers: input.headers,
            body: input.body,
            signal: input.signal,
            redirect: input.redirect,
            duplex: 'half' as const,
            ...init,
          }
        : init;
    const url = input instanceof Request ? input.url : input;
    // Casts: the same objects at run time, but undici's types and the global ones differ.
    const options = { ...request, dispatcher } as UndiciRequestInit;
    return undiciFetch(url, options) as Promise<unknown> as Promise<Response>;
  };
}

// -------------------------------------------------------------------------------------------

const openssl = opensslBinary();
const CLIENT_ID = 'billing-worker';
const OTHER_CLIENT_ID = 'reporting-worker';

describe.skipIf(!openssl)('mTLS (RFC 8705 tls_client_auth) through an undici Agent', () => {
  let pki: TestPki;
  let server: TlsTokenServer;
  const agents: Agent[] = [];

  /** The recipe's Agent: the client certificate and key, and the CA of the vendor's server. */
  function agentFor(identity: KeyPair | undefined): Agent {
    const agent = new Agent({
      connect: identity ? { cert: identity.cert, key: identity.key, ca: pki.ca } : { ca: pki.ca },
    });
    agents.push(agent);
    return agent;
  }

  function providerFor(identity: KeyPair | undefined, clientId = CLIENT_ID) {
    const mtlsFetch = fetchWithDispatcher(agentFor(identity));
    const tokens = createTokenProvider({
      tokenUrl: server.tokenUrl,
      clientId,
      clientAuth: 'tls_client_auth',
      fetch: mtlsFetch,
      retry: { maxAttempts: 1 },
    });
    return { tokens, mtlsFetch };
  }

  const certOf = (id: string) => pki.clients[id] as KeyPair;
  /** The first line of a PEM's base64 body: enough to spot the key in an error dump. */
  const keyMaterial = (pem: string) => pem.split('\n')[1] as string;
  const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

  beforeAll(async () => {
    pki = generatePki(openssl as string, [CLIENT_ID, OTHER_CLIENT_ID]);
    server = await startTlsTokenServer({
      pki,
      clients: { [CLIENT_ID]: CLIENT_ID, [OTHER_CLIENT_ID]: OTHER_CLIENT_ID },
      tokenDelayMs: 50,
    });
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await server?.close();
  });

  it('gets a token over mTLS: only grant_type and client_id in the form, no Authorization', async () => {
    const { tokens } = providerFor(certOf(CLIENT_ID));
    const before = server.tokenRequests.length;

    const token = await tokens.getToken();

    expect(server.tokenRequests.slice(before)).toEqual([
      {
        certCn: CLIENT_ID,
        certThumbprint: thumbprint(der(certOf(CLIENT_ID).cert)),
        form: [
          ['grant_type', 'client_credentials'],
          ['client_id', CLIENT_ID],
        ],
        authorization: undefined,
        status: 200,
      },
    ]);
    expect(server.issuedTokens).toContain(token.accessToken);
  });

  it('calls the API through fetchAuth over the certificate the token is bound to', async () => {
    const { tokens, mtlsFetch } = providerFor(certOf(CLIENT_ID));
    const api = fetchAuth(tokens, { origins: [server.origin], fetch: mtlsFetch });

    const byUrl = await api(server.apiUrl);
    expect(byUrl.status).toBe(200);
    expect(await byUrl.json()).toEqual({ client: CLIENT_ID });

    // A Request, as ky sends it, goes the same way.
    const byRequest = await api(new Request(server.apiUrl));
    expect(byRequest.status).toBe(200);
    expect(await byRequest.json()).toEqual({ client: CLIENT_ID });
  });

  it('the API refuses the token over a connection with another client certificate', async () => {
    const { tokens } = providerFor(certOf(CLIENT_ID));
    const { accessToken } = await tokens.getToken();
    const otherFetch = fetchWithDispatcher(agentFor(certOf(OTHER_CLIENT_ID)));

    const response = await otherFetch(server.apiUrl, {
      headers: { authorization: `Bearer ${accessToken}` },
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/bound to another certificate/);
    expect(server.apiRequests.at(-1)).toEqual({ certCn: OTHER_CLIENT_ID, status: 401 });
  });

  it('a client without a certificate fails with a TokenNetworkError that holds no key or token', async () => {
    const { tokens } = providerFor(undefined);
    const before = server.tokenRequests.length;
    const refusedBefore = server.tlsErrors.length;

    const error = await tokens.getToken().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TokenNetworkError);
    expect(error).toMatchObject({ code: ErrorCode.NETWORK });
    expect(server.tokenRequests.length).toBe(before);
    expect(server.tlsErrors.slice(refusedBefore)).toContain(
      'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
    );
    const dump = `${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`;
    for (const secret of [keyMaterial(certOf(CLIENT_ID).key), ...server.issuedTokens]) {
      expect(dump).not.toContain(secret);
    }
  });

  it('a client with a certificate from an untrusted CA fails the handshake', async () => {
    const { tokens } = providerFor(pki.untrusted);
    const before = server.tokenRequests.length;
    const refusedBefore = server.tlsErrors.length;

    const error = await tokens.getToken().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TokenNetworkError);
    expect(error).toMatchObject({ code: ErrorCode.NETWORK });
    expect(server.tokenRequests.length).toBe(before);
    expect(server.tlsErrors.length).toBeGreaterThan(refusedBefore);
    expect(inspect(error, { depth: 10 })).not.toContain(
      pki.untrusted.key
        .replace(/-----[^-]+-----/g, '')
        .trim()
        .slice(0, 40),
    );
  });

  it('a client id that does not match the certificate subject gets invalid_client', async () => {
    const { tokens } = providerFor(certOf(CLIENT_ID), OTHER_CLIENT_ID);

    const error = await tokens.getToken().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ code: ErrorCode.OAUTH, error: 'invalid_client', status: 401 });
    expect(server.tokenRequests.at(-1)).toMatchObject({
      certCn: CLIENT_ID,
      form: [
        ['grant_type', 'client_credentials'],
        ['client_id', OTHER_CLIENT_ID],
      ],
      status: 401,
    });
  });

  it('50 concurrent cold API calls share one token request', async () => {
    const { tokens, mtlsFetch } = providerFor(certOf(CLIENT_ID));
    const api = fetchAuth(tokens, { origins: [server.origin], fetch: mtlsFetch });
    const before = server.tokenRequests.length;

    const responses = await Promise.all(Array.from({ length: 50 }, () => api(server.apiUrl)));

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    await Promise.all(responses.map((r) => r.body?.cancel()));
    expect(server.tokenRequests.length - before).toBe(1);
  });
});
