import { ConfigError } from '@m2m-auth/core';
import { afterEach, describe, expect, it } from 'vitest';
import { plainProxyCheck } from '../src/proxy-guard.ts';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('plainProxyCheck', () => {
  it('needs no check on axios that tunnels https through proxies (1.16.1 and later)', () => {
    for (const version of ['1.16.1', '1.17.0', '1.21.1', '2.0.0']) {
      expect(plainProxyCheck(version)).toBeUndefined();
    }
  });

  it('on older axios refuses a plain-http proxy for an https origin, from the option or the environment', () => {
    const check = plainProxyCheck('1.6.0');
    if (!check) throw new Error('expected a check for axios 1.6.0');
    const url = 'https://api.vendor.example/v1';
    expect(() => check({ proxy: { host: 'proxy', port: 3128 } }, url)).toThrow(ConfigError);
    expect(() => check({ proxy: { protocol: 'http', host: 'proxy', port: 3128 } }, url)).toThrow(
      /through a plain-http proxy/,
    );
    expect(() =>
      check({ proxy: { protocol: 'https', host: 'proxy', port: 3128 } }, url),
    ).not.toThrow();
    expect(() => check({ proxy: false }, url)).not.toThrow();
    expect(() =>
      check({ proxy: { host: 'proxy', port: 3128 } }, 'http://127.0.0.1:8080/'),
    ).not.toThrow();
    process.env['HTTPS_PROXY'] = 'http://proxy.internal:3128';
    expect(() => check({}, url)).toThrow(ConfigError);
    process.env['NO_PROXY'] = '.vendor.example';
    expect(() => check({}, url)).not.toThrow();
  });
});
