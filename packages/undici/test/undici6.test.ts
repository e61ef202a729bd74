/**
 * undiciAuth on undici 6.13.0, the oldest of the peer range: the conformance suite through `request()` on an
 * Agent composed with it, and the composition matrix with undici's retry interceptor.
 */
import { describeAdapterConformance, describeComposition } from '@m2m-auth/test-utils/conformance';
import * as installed from 'undici-oldest';
import { compositionVariants, requestClient, type UndiciModule } from './clients.ts';

const undici = installed as unknown as UndiciModule;

describeAdapterConformance('undiciAuth on undici 6.13.0 request()', requestClient(undici));
describeComposition('undiciAuth', compositionVariants(undici, 'undici 6.13.0'));
