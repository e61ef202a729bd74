import { createTokenProvider } from '@m2m-auth/core';
import { describe, expect, it } from 'vitest';
import { basic, tokenRequest, useVendorServer } from './vendor-helpers.ts';

const servers = useVendorServer(() => []);
const tokenUrl = () => servers.auth.tokenUrl('cognito');
const grant = { grant_type: 'client_credentials' };

describe('cognito profile (AWS Cognito token endpoint, seed 000)', () => {
  it('takes the secret with Basic or, as client_secret_post, in the body', async () => {
    const viaBasic = await tokenRequest(
      tokenUrl(),
      { ...grant, client_id: 'demo-client' },
      basic('demo-client', 'demo-secret'),
    );
    expect([viaBasic.status, viaBasic.body['expires_in']]).toEqual([200, '86400']);
    const viaPost = await tokenRequest(tokenUrl(), {
      ...grant,
      client_id: 'demo-client',
      client_secret: 'demo-secret',
    });
    expect(viaPost.status).toBe(200);
  });

  it('answers failures with 400 and the error alone, no error_description', async () => {
    const wrong = await tokenRequest(tokenUrl(), grant, basic('demo-client', 'nope'));
    expect([wrong.status, wrong.body]).toEqual([400, { error: 'invalid_client' }]);
    const none = await tokenRequest(tokenUrl(), grant);
    expect([none.status, none.body]).toEqual([400, { error: 'invalid_client' }]);
    const mismatch = await tokenRequest(
      tokenUrl(),
      { ...grant, client_id: 'other' },
      basic('demo-client', 'demo-secret'),
    );
    expect([mismatch.status, mismatch.body]).toEqual([400, { error: 'invalid_request' }]);
    const password = await tokenRequest(
      tokenUrl(),
      { grant_type: 'password' },
      basic('demo-client', 'demo-secret'),
    );
    expect([password.status, password.body]).toEqual([400, { error: 'unsupported_grant_type' }]);
  });

  it("core's provider reports an error with no description by its code", async () => {
    const tokens = createTokenProvider({
      tokenUrl: tokenUrl(),
      clientId: 'demo-client',
      clientSecret: 'nope',
      clientIdInBody: true,
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ error: 'invalid_client', status: 400 });
  });
});
