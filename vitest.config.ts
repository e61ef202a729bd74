import { defineConfig } from 'vitest/config';

// One project per package (and bench/, whose comparison is checked too). Every project resolves our packages to their TypeScript sources
// through the `@m2m-auth/source` export condition, so tests never need a build and never
// run a stale `dist/`. Vite applies `resolve.conditions` to the browser environment only;
// tests run in the SSR (Node) environment, hence `ssr.resolve` too, for inlined and for
// externalised imports.
const conditions = ['@m2m-auth/source', 'node', 'import', 'default'];
const resolveSource = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@m2m-auth/source'] } },
};
const packages = [
  'packages/core',
  'packages/fetch',
  'packages/axios',
  'packages/got',
  'packages/ky',
  'packages/undici',
  'packages/grpc',
  'packages/redis',
  'packages/cli',
  'packages/otel',
  'test-utils',
  'bench',
];

export default defineConfig({
  ...resolveSource,
  test: {
    projects: [
      ...packages.map((root) => ({
        ...resolveSource,
        test: {
          name: root.split('/').pop() as string,
          root,
          include: ['test/**/*.test.ts'],
        },
      })),
      // The grpc tests again on the oldest grpc-js of the peer range: the package and its
      // tests import `@grpc/grpc-js`, which resolves to the `grpc-js-oldest` install here.
      {
        ...resolveSource,
        resolve: { ...resolveSource.resolve, alias: { '@grpc/grpc-js': 'grpc-js-oldest' } },
        test: {
          name: 'grpc-oldest',
          root: 'packages/grpc',
          include: ['test/**/*.test.ts'],
          env: { GRPC_JS: 'grpc-js-oldest' },
        },
      },
    ],
  },
});
