/**
 * Against oidc-provider (test-utils' certified server): Node's own fetch through the global
 * dispatcher composed with undiciAuth, from the undici major the running Node bundles.
 */
import { describeCertified } from '@m2m-auth/test-utils/conformance';
import { auth, globalFetchVia, undiciOfThisNode } from './clients.ts';

const { undici, base } = await undiciOfThisNode();

describeCertified(`undiciAuth on Node ${process.version}'s fetch`, ({ provider, origins }) => {
  const dispatcher = base.compose(auth(provider, { origins }));
  return globalFetchVia(() => undici.setGlobalDispatcher(dispatcher));
});
