import { describe, expect, it } from 'vitest';
import { cacheKey, type KeyMaterial } from '../src/cache-key.ts';

const base: KeyMaterial = {
  tokenUrl: 'https://auth.example/token',
  clientId: 'client',
  clientSecret: 'secret',
  clientAuth: 'client_secret_basic',
  clientIdInBody: false,
  scopes: ['b', 'a'],
  audience: undefined,
  resources: [],
  params: [],
  credentialKey: '',
};

describe('cacheKey', () => {
  it('stays the same across releases: processes of two versions sharing Redis share tokens', async () => {
    expect(await cacheKey(base)).toBe('m2m:q4F39Om_4FHnLWubjw5Da8xT24-oEk94qxyXa47ofSU');
    expect(
      await cacheKey({
        ...base,
        audience: 'api',
        resources: ['https://r2', 'https://r1'],
        params: [
          ['x', '2'],
          ['x', '1'],
          ['a', '9'],
        ],
        credentialKey: 'pkjwt:kid:ES256:abc',
      }),
    ).toBe('m2m:UntBSuSbImsRNzhbwywOO-LBGCNvlPFhAa2qyBzyzAs');
  });

  it('ignores the order of scopes, resources and params', async () => {
    const key = await cacheKey({
      ...base,
      resources: ['https://r1', 'https://r2'],
      params: [
        ['a', '1'],
        ['b', '1'],
        ['b', '2'],
      ],
    });
    for (const [scopes, resources, params] of [
      [
        ['a', 'b'],
        ['https://r2', 'https://r1'],
        [
          ['b', '2'],
          ['a', '1'],
          ['b', '1'],
        ],
      ],
      [
        ['b', 'a'],
        ['https://r1', 'https://r2'],
        [
          ['b', '1'],
          ['b', '2'],
          ['a', '1'],
        ],
      ],
      [
        ['a', 'b'],
        ['https://r1', 'https://r2'],
        [
          ['a', '1'],
          ['b', '2'],
          ['b', '1'],
        ],
      ],
    ] as const) {
      expect(await cacheKey({ ...base, scopes, resources, params })).toBe(key);
    }
  });

  it('changes with everything that changes the token, and never shows the secret', async () => {
    const key = await cacheKey(base);
    expect(key).toMatch(/^m2m:[\w-]{43}$/);
    const variants: Partial<KeyMaterial>[] = [
      { tokenUrl: 'https://auth.example/other' },
      { clientId: 'client-2' },
      { clientSecret: 'rotated' },
      { clientAuth: 'client_secret_post' },
      { clientIdInBody: true },
      { scopes: ['a'] },
      { audience: 'api' },
      { audience: '' },
      { resources: ['https://r1'] },
      { params: [['tenant', 'acme']] },
      { credentialKey: 'dpop:thumbprint' },
    ];
    const keys = await Promise.all(variants.map((variant) => cacheKey({ ...base, ...variant })));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
    for (const other of keys) expect(other).not.toContain('secret');
  });
});
