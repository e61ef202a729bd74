import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign as nodeSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthServer,
  DEFAULT_CLIENTS,
  generateClientKeys,
  startAuthServer,
} from '@m2m-auth/test-utils';
import {
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  importSPKI,
  importX509,
  type JWK,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, createTokenProvider, memoryStore } from '../src/index.ts';
import { scriptedEndpoint } from './helpers/scripted-endpoint.ts';
import { opensslBinary } from './support/tls-token-server.ts';

/** An RSA CA and a leaf certificate it signed (PEM), with the leaf's PKCS#8 key. */
function rsaChain(openssl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'm2m-x5c-'));
  const run = (...args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: 'pipe' });
  const rsa = ['-newkey', 'rsa:2048', '-nodes'];
  try {
    run(
      'req',
      '-x509',
      ...rsa,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=m2m CA',
    );
    run('req', ...rsa, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=billing-worker');
    run(
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'leaf.crt',
      '-days',
      '1',
    );
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    return { leaf: read('leaf.crt'), ca: read('ca.crt'), key: read('leaf.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `fetch` that records each token request's form before the real server answers it. */
function recordingFetch() {
  const forms: URLSearchParams[] = [];
  return {
    forms,
    assertion: (i = 0) => forms[i]?.get('client_assertion') ?? '',
    fetch: (url: string, init: RequestInit) => {
      forms.push(new URLSearchParams(String(init.body)));
      return globalThis.fetch(url, init);
    },
  };
}

const openssl = opensslBinary();

// Entra ID's certificate credentials and keys kept in a KMS: the assertion headers come from
// an X.509 certificate, and the signature from a callback. The test-utils server verifies
// every assertion against the client's registered public key; jose verifies it here too.
describe.runIf(openssl)('private_key_jwt as the big vendors want it', () => {
  let auth: AuthServer;
  let chain: ReturnType<typeof rsaChain>;
  let kms: CryptoKeyPair;
  let es: Awaited<ReturnType<typeof generateClientKeys>>;

  beforeAll(async () => {
    chain = rsaChain(openssl as string);
    kms = await crypto.subtle.generateKey(
      {
        name: 'RSA-PSS',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      false, // the private key cannot leave "the HSM"
      ['sign', 'verify'],
    );
    es = await generateClientKeys('ES256', 'svc-es');
    const certKey = await exportJWK(await importX509(chain.leaf, 'PS256'));
    auth = await startAuthServer({
      clients: [
        ...DEFAULT_CLIENTS,
        {
          clientId: 'entra-app',
          clientSecret: 'unused',
          jwks: { keys: [{ ...certKey, alg: 'PS256' }] },
        },
        {
          clientId: 'kms-app',
          clientSecret: 'unused',
          jwks: { keys: [{ ...(await exportJWK(kms.publicKey)), alg: 'PS256', kid: 'kms-key-1' }] },
        },
        { clientId: 'svc', clientSecret: 'unused', jwks: es.jwks },
      ],
    });
  });
  afterAll(() => auth.close());
  beforeEach(() => auth.stats.reset());

  const der = (pem: string) => new X509Certificate(pem).raw;

  it('sends PS256 with x5t#S256 of the certificate (Entra), verifiable with its public key', async () => {
    const wire = recordingFetch();
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientId: 'entra-app',
      clientAssertion: { privateKey: chain.key, alg: 'PS256', certificate: chain.leaf },
      fetch: wire.fetch,
    });
    await tokens.getToken();
    expect(auth.stats.requests).toMatchObject([{ status: 200, authMethod: 'private_key_jwt' }]);
    const header = decodeProtectedHeader(wire.assertion());
    expect(header).toEqual({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': createHash('sha256').update(der(chain.leaf)).digest('base64url'),
    });
    const { payload } = await jwtVerify(wire.assertion(), await importX509(chain.leaf, 'PS256'), {
      issuer: 'entra-app',
      subject: 'entra-app',
      audience: auth.tokenUrl('strict-rfc'),
    });
    expect(payload.nbf).toBe(payload.iat); // Entra lists nbf
  });

  it('adds x5t (SHA-1) and the x5c chain, leaf first, when asked', async () => {
    const wire = recordingFetch();
    await createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientId: 'entra-app',
      clientAssertion: {
        privateKey: chain.key,
        alg: 'PS256',
        certificate: `${chain.leaf}\n${chain.ca}`,
        x5t: true,
        x5c: true,
      },
      fetch: wire.fetch,
    }).getToken();
    const header = decodeProtectedHeader(wire.assertion());
    expect(header.x5t).toBe(createHash('sha1').update(der(chain.leaf)).digest('base64url'));
    expect(header.x5c).toEqual([
      der(chain.leaf).toString('base64'),
      der(chain.ca).toString('base64'),
    ]);
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200]);
  });

  it('signs through a callback, so the key never enters the process', async () => {
    const wire = recordingFetch();
    const inputs: string[] = [];
    const tokens = createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientId: 'kms-app',
      clientAssertion: {
        alg: 'PS256',
        kid: 'kms-key-1',
        sign: async (signingInput) => {
          inputs.push(new TextDecoder().decode(signingInput));
          return crypto.subtle.sign(
            { name: 'RSA-PSS', saltLength: 32 },
            kms.privateKey,
            signingInput,
          );
        },
      },
      fetch: wire.fetch,
    });
    await tokens.getToken();
    expect(auth.stats.requests).toMatchObject([{ status: 200, authMethod: 'private_key_jwt' }]);
    const jwt = wire.assertion();
    expect(inputs).toEqual([jwt.split('.').slice(0, 2).join('.')]);
    const { protectedHeader } = await jwtVerify(jwt, kms.publicKey, {
      audience: auth.tokenUrl('strict-rfc'),
    });
    expect(protectedHeader).toMatchObject({ alg: 'PS256', kid: 'kms-key-1' });
  });

  it('takes extra claims and headers, and keeps the standard claims its own', async () => {
    const wire = recordingFetch();
    await createTokenProvider({
      tokenUrl: auth.tokenUrl('strict-rfc'),
      clientId: 'svc',
      clientAssertion: {
        privateKey: es.privateJwk,
        claims: { tenant: 'acme', roles: ['billing'] },
        headers: { typ: 'client-authentication+jwt', 'x-vendor': 1 },
      },
      fetch: wire.fetch,
    }).getToken();
    expect(auth.stats.requests.map((r) => r.status)).toEqual([200]);
    const { payload, protectedHeader } = await jwtVerify(
      wire.assertion(),
      await importJWK(es.jwks.keys[0] as JWK, 'ES256'),
      { typ: 'client-authentication+jwt' },
    );
    expect(payload).toMatchObject({ tenant: 'acme', roles: ['billing'], iss: 'svc', sub: 'svc' });
    expect(protectedHeader).toEqual({
      alg: 'ES256',
      kid: 'svc-es',
      typ: 'client-authentication+jwt',
      'x-vendor': 1,
    });
  });

  it('keys a callback or a CryptoKey by its kid, so providers with one kid share tokens', async () => {
    const store = memoryStore();
    const callback = (key: CryptoKey) => async (input: Uint8Array<ArrayBuffer>) =>
      crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, key, input);
    const provider = (kid: string | undefined) =>
      createTokenProvider({
        tokenUrl: auth.tokenUrl('strict-rfc'),
        clientId: 'kms-app',
        clientAssertion: { alg: 'PS256', ...(kid ? { kid } : {}), sign: callback(kms.privateKey) },
        store,
      });
    // Two processes' worth of providers: each has its own callback object.
    await provider('kms-key-1').getToken();
    await provider('kms-key-1').getToken();
    expect(auth.stats.total).toBe(1);
    // Without a kid the object is all that tells keys apart: each keys its tokens apart.
    await provider(undefined).getToken();
    await provider(undefined).getToken();
    expect(auth.stats.total).toBe(3);
    // The same for a CryptoKey with a kid (two imports of one key are two objects).
    const pem = await exportPKCS8(es.privateKey);
    for (let i = 0; i < 2; i++) {
      await createTokenProvider({
        tokenUrl: auth.tokenUrl('strict-rfc'),
        clientId: 'svc',
        clientAssertion: { privateKey: await importPKCS8(pem, 'ES256'), kid: 'svc-es' },
        store,
      }).getToken();
    }
    expect(auth.stats.total).toBe(4);
  });
});

// KMS and PKCS#11 signers answer ECDSA in DER; JWS wants r || s (RFC 7518 §3.4).
describe('ECDSA signatures from a callback', () => {
  it.each([
    ['ES256', 'prime256v1', 'der'],
    ['ES256', 'prime256v1', 'ieee-p1363'],
    ['ES384', 'secp384r1', 'der'],
    ['ES512', 'secp521r1', 'der'], // a DER sequence longer than 127 bytes
  ] as const)('%s given as %s (%s) verifies', async (alg, curve, dsaEncoding) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const hash = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[alg];
    const endpoint = scriptedEndpoint();
    await createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'svc',
      clientAssertion: {
        alg,
        kid: 'hsm-1',
        sign: async (input) => nodeSign(hash, input, { key: privateKey, dsaEncoding }),
      },
      fetch: endpoint.fetch,
    }).getToken();
    const jwt = endpoint.requests[0]?.get('client_assertion') ?? '';
    const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { payload } = await jwtVerify(jwt, await importSPKI(spki, alg));
    expect(payload).toMatchObject({
      iss: 'svc',
      sub: 'svc',
      aud: 'https://auth.vendor.example/token',
    });
  });

  it('refuses a signature in neither form, with a typed error', async () => {
    const endpoint = scriptedEndpoint();
    const tokens = createTokenProvider({
      tokenUrl: 'https://auth.vendor.example/token',
      clientId: 'svc',
      clientAssertion: { alg: 'ES256', sign: async () => new Uint8Array(10) },
      fetch: endpoint.fetch,
    });
    await expect(tokens.getToken()).rejects.toThrow(ConfigError);
    expect(endpoint.requests).toHaveLength(0);
  });
});

describe('signed assertion options that cannot work', () => {
  const base = { tokenUrl: 'https://auth.vendor.example/token', clientId: 'svc' };
  const refused = async (clientAssertion: object) => {
    const { privateKey } = await generateKeyPair('ES256');
    try {
      createTokenProvider({ ...base, clientAssertion: { privateKey, ...clientAssertion } });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('are ConfigErrors at construction', async () => {
    expect(await refused({ claims: { iss: 'other', aud: 'x' } })).toMatch(
      /claims may not set iss, aud/,
    );
    expect(await refused({ headers: { alg: 'none' } })).toMatch(/headers may not set alg/);
    expect(await refused({ sign: async () => new Uint8Array() })).toMatch(
      /privateKey or sign, not both/,
    );
    expect(await refused({ x5c: true })).toMatch(/need certificate/);
    expect(await refused({ certificate: 'not a certificate' })).toMatch(/PEM certificate/);
    expect(() =>
      createTokenProvider({ ...base, clientAssertion: { sign: async () => new Uint8Array() } }),
    ).toThrow(/sign needs alg/);
    expect(() =>
      createTokenProvider({
        ...base,
        clientAssertion: { alg: 'HS256', sign: async () => new Uint8Array() },
      }),
    ).toThrow(/sign needs alg/);
  });
});
