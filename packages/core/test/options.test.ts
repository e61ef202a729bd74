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
});
