/**
 * undiciAuth on undici 8, the newest of the peer range: the conformance suite through `request()` on an
 * Agent composed with it, and the composition matrix with undici's retry interceptor.
 */
import { describeAdapterConformance, describeComposition } from '@m2m-auth/test-utils/conformance';
import * as installed from 'undici';
import { compositionVariants, requestClient } from './clients.ts';

const undici = installed;

describeAdapterConformance('undiciAuth on undici 8 request()', requestClient(undici));
describeComposition('undiciAuth', compositionVariants(undici, 'undici 8'));
