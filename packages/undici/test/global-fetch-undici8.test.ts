/**
 * Node's own fetch on Node 24 with `setGlobalDispatcher` from undici 8, the current major
 * (a user who installs the newest undici): Node's bundled fetch reads undici 8's
 * `Dispatcher1Wrapper`, which hands undiciAuth the new handler API. Not run under Node 22,
 * where undici 8 under Node's fetch breaks requests that set their own Content-Length
 * (nodejs/undici#5500; the README says to keep to the bundled major there).
 */
import { describeAdapterConformance } from '@m2m-auth/test-utils/conformance';
import * as undici from 'undici';
import { afterAll } from 'vitest';
import { auth, globalFetchVia } from './clients.ts';

const base = undici.getGlobalDispatcher();
afterAll(() => undici.setGlobalDispatcher(base));

describeAdapterConformance(
  `undiciAuth on Node ${process.version}'s fetch, undici 8's setGlobalDispatcher`,
  ({ provider, origins }) => {
    const dispatcher = base.compose(auth(provider, { origins }));
    return globalFetchVia(() => undici.setGlobalDispatcher(dispatcher));
  },
);
