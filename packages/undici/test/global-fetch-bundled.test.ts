/**
 * Node's own fetch on Node's own undici (Node 24: 7.x; Node 22: 6.x), with no undici from
 * npm loaded at all: the bundled global Agent composed with undiciAuth and put back where the
 * bundled fetch reads it. This file must import nothing that loads an undici package.
 */
import { describeAdapterConformance } from '@m2m-auth/test-utils/conformance';
import { afterAll } from 'vitest';
import { undiciAuth } from '../src/index.ts';
import { globalFetchVia } from './clients.ts';

interface Composable {
  compose(...interceptors: unknown[]): unknown;
}
const GLOBAL = Symbol.for('undici.globalDispatcher.1');
const slot = globalThis as unknown as Record<symbol, Composable | undefined>;

await fetch('data:,'); // loads the bundled undici, which installs its Agent
const bundled = slot[GLOBAL];
if (!bundled) throw new Error("Node's fetch installed no global dispatcher");
afterAll(() => {
  slot[GLOBAL] = bundled;
});

describeAdapterConformance(
  `undiciAuth on Node ${process.version}'s own fetch and its bundled undici ${process.versions['undici']}`,
  ({ provider, origins }) => {
    const dispatcher = bundled.compose(undiciAuth(provider, { origins })) as Composable;
    return globalFetchVia(() => {
      slot[GLOBAL] = dispatcher;
    });
  },
);
