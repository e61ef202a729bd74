import { defineConfig } from 'vitest/config';

// One project per package; every project resolves our packages to their TypeScript sources
// through the `@m2m-auth/source` export condition, so tests never need a build.
const packages = ['packages/core', 'packages/fetch', 'test-utils'];

export default defineConfig({
  resolve: { conditions: ['@m2m-auth/source'] },
  test: {
    projects: packages.map((name) => ({
      resolve: { conditions: ['@m2m-auth/source'] },
      test: {
        name: name.split('/').pop() as string,
        root: name,
        include: ['test/**/*.test.ts'],
      },
    })),
  },
});
