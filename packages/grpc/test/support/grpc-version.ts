/**
 * The grpc-js these tests and the package run on: the newest of the peer range as
 * `@grpc/grpc-js`, or the oldest when the `grpc-oldest` vitest project aliases
 * `@grpc/grpc-js` to `grpc-js-oldest` (vitest.config.ts) and says so in `GRPC_JS`.
 */
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as oldest from 'grpc-js-oldest';

const require = createRequire(import.meta.url);
const expected = process.env['GRPC_JS'] ?? '@grpc/grpc-js';
// require() is not aliased: it finds each installed copy by its own name.
const copies = {
  '@grpc/grpc-js': require('@grpc/grpc-js') as typeof grpc,
  'grpc-js-oldest': oldest,
};
const versions = {
  '@grpc/grpc-js': (require('@grpc/grpc-js/package.json') as { version: string }).version,
  'grpc-js-oldest': (require('grpc-js-oldest/package.json') as { version: string }).version,
};

export { grpc };
/** Which installed copy `@grpc/grpc-js` resolved to here, judged by identity. */
export const resolvedTo = (Object.keys(copies) as Array<keyof typeof copies>).find(
  (name) => copies[name].Metadata === grpc.Metadata,
);
export const expectedCopy = expected as keyof typeof copies;
export const grpcVersion = versions[expectedCopy];
