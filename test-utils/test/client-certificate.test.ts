import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateClientCertificate } from '../src/client-certificate.ts';
import { signJwt } from './vendor-helpers.ts';

describe('generateClientCertificate', () => {
  it('makes a self-signed certificate Node parses and verifies, with its thumbprints', async () => {
    const cert = await generateClientCertificate('PS256', 'my service');
    const x509 = new X509Certificate(cert.certificatePem);
    expect(x509.subject).toBe('CN=my service');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(cert.privateKeyPem))).toBe(true);
    const der = x509.raw;
    expect(cert.x5tS256).toBe(createHash('sha256').update(der).digest('base64url'));
    expect(cert.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    expect(x509.fingerprint256.replaceAll(':', '')).toBe(
      Buffer.from(cert.x5tS256, 'base64url').toString('hex').toUpperCase(),
    );
    expect(cert.jwks.keys[0]).toMatchObject({
      kty: 'RSA',
      'x5t#S256': cert.x5tS256,
      x5t: cert.x5t,
      x5c: [der.toString('base64')],
    });
  });

  it('signs assertions its published key verifies, PS256 or RS256', async () => {
    for (const alg of ['PS256', 'RS256'] as const) {
      const cert = await generateClientCertificate(alg);
      const jwt = await signJwt({ sub: 'x' }, cert.privateKey, { alg });
      const key = await importJWK(cert.jwks.keys[0] ?? {}, alg);
      await expect(compactVerify(jwt, key)).resolves.toMatchObject({ protectedHeader: { alg } });
    }
  });
});
