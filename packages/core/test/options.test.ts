import { describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode } from '../src/errors.ts';
import type { TokenProviderOptions } from '../src/options.ts';
import { createTokenProvider } from '../src/token-provider.ts';

const valid: TokenProviderOptions = {
  tokenUrl: 'https://auth.vendor.example/oauth/v2/token',
  clientId: 'client',
  clientSecret: 'Very-Secret-1',
};

function configError(options: Partial<TokenProviderOptions>): ConfigError {
  try {
    createTokenProvider({ ...valid, ...options } as TokenProviderOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe(ErrorCode.CONFIG);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('createTokenProvider options', () => {
  it('accepts the minimal options', () => {
    const provider = createTokenProvider(valid);
    expect(provider.scope).toBeUndefined();
    expect(createTokenProvider({ ...valid, scope: ['b', 'a', 'b'] }).scope).toBe('a b');
  });

  it('refuses a plain http token URL off loopback, but allows loopback', () => {
    expect(configError({ tokenUrl: 'http://auth.vendor.example/token' }).message).toMatch(
      /plain http/,
    );
    expect(() =>
      createTokenProvider({ ...valid, tokenUrl: 'http://127.0.0.1:9/token' }),
    ).not.toThrow();
    expect(() =>
      createTokenProvider({
        ...valid,
        tokenUrl: 'http://auth.internal/t',
        allowInsecureHttp: true,
      }),
    ).not.toThrow();
  });

  it('refuses missing credentials and bad values with a message that names the option', () => {
    expect(configError({ clientId: '' }).message).toMatch(/clientId/);
    expect(configError({ clientSecret: '' }).message).toMatch(/clientSecret/);
    expect(configError({ tokenUrl: 'not a url' }).message).toMatch(/tokenUrl/);
    expect(configError({ tokenUrl: 'https://u:p@auth.example/t' }).message).toMatch(/credentials/);
    expect(configError({ clientAuth: 'magic' as never }).message).toMatch(/clientAuth/);
    expect(configError({ timeoutMs: -1 }).message).toMatch(/timeoutMs/);
    expect(configError({ refreshAheadRatio: 2 }).message).toMatch(/refreshAheadRatio/);
    expect(configError({ params: { scope: 'x' } }).message).toMatch(/params.scope/);
  });

  it('never puts the secret in a ConfigError', () => {
    const error = configError({ tokenUrl: 'ftp://auth.example/t' });
    expect(JSON.stringify(error)).not.toContain('Very-Secret-1');
    expect(error.message).not.toContain('Very-Secret-1');
  });

  it('takes an issuer instead of a token URL, and needs one of the two', () => {
    const { tokenUrl: _, ...withoutUrl } = valid;
    expect(() =>
      createTokenProvider({ ...withoutUrl, issuer: 'https://auth.vendor.example' }),
    ).not.toThrow();
    expect(configError({ tokenUrl: undefined } as never).message).toMatch(/tokenUrl \(or issuer/);
    expect(configError({ issuer: 'http://auth.vendor.example' }).message).toMatch(
      /issuer .*plain http/,
    );
    expect(configError({ issuer: 'https://auth.vendor.example/?tenant=a' }).message).toMatch(
      /query or fragment/,
    );
  });

  it('knows which client authentication needs which credential', () => {
    const { clientSecret: _, ...noSecret } = valid;
    expect(configError({ clientSecret: undefined } as never).message).toMatch(
      /clientSecret is required/,
    );
    expect(configError({ clientSecret: 42 as never }).message).toMatch(/string or a function/);
    expect(() => createTokenProvider({ ...noSecret, clientAuth: 'tls_client_auth' })).not.toThrow();
    expect(configError({ clientAuth: 'private_key_jwt' }).message).toMatch(/privateKey/);
    expect(configError({ clientAssertion: { audience: 'issuer' } }).message).toMatch(
      /needs the issuer/,
    );
    expect(
      configError({ clientAuth: 'client_secret_jwt', clientAssertion: { alg: 'RS256' } }).message,
    ).toMatch(/HS256, HS384 or HS512/);
    expect(configError({ params: { client_assertion: 'x' } }).message).toMatch(/client_assertion/);
  });
});
