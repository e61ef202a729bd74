export type { CertifiedSetup, MakeCertifiedClient } from './certified.ts';
export { describeCertified } from './certified.ts';
export type { CompositionVariant, RetryPlacement } from './composition.ts';
export { describeComposition } from './composition.ts';
export { streamOf } from './stream-body.ts';
export type { ConformanceLimits } from './suite.ts';
export { describeAdapterConformance } from './suite.ts';
export type {
  ClientSetup,
  ConformanceBody,
  ConformanceServers,
  MakeClient,
  UniformClient,
  UniformRequest,
  UniformResponse,
} from './types.ts';
export type { CertifiedServers } from './use-certified-servers.ts';
export { useCertifiedServers } from './use-certified-servers.ts';
export { useTestServers } from './use-test-servers.ts';
