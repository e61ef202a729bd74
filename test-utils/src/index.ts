export type { AuthControl, AuthServer, AuthServerOptions } from './auth-server.ts';
export { DEFAULT_AUDIENCE, DEFAULT_CLIENTS, startAuthServer } from './auth-server.ts';
export type { CertifiedApi, CertifiedApiRecord } from './certified/certified-api.ts';
export { startCertifiedApi } from './certified/certified-api.ts';
export type { CertifiedClients, KeyClient, SecretClient } from './certified/certified-clients.ts';
export type {
  AccessTokenFormat,
  CertifiedServer,
  CertifiedServerOptions,
} from './certified/certified-server.ts';
export { startCertifiedServer } from './certified/certified-server.ts';
export type { CertifiedStats, CertifiedTokenRequest } from './certified/certified-stats.ts';
export type { AssertionMethod, DecodedAssertion } from './client-assertion.ts';
export {
  ASSERTION_LEEWAY_SECONDS,
  ASSERTION_MAX_LIFETIME_SECONDS,
  JWT_BEARER,
  KEY_ALGS,
  SECRET_ALGS,
} from './client-assertion.ts';
export type { CertificateAlg, ClientCertificate } from './client-certificate.ts';
export { generateClientCertificate } from './client-certificate.ts';
export type { ClientKeyAlg, ClientKeys } from './client-keys.ts';
export { generateClientKeys } from './client-keys.ts';
export type {
  AuthServerMetadata,
  DiscoveryDocument,
  DiscoveryOverrides,
  MetadataOverrides,
} from './discovery.ts';
export { DISCOVERY_PATHS } from './discovery.ts';
export type { DpopNonceState, DpopRotateOptions } from './dpop-nonces.ts';
export type { DpopAlg, DpopKeys, DpopProofOptions } from './dpop-proof.ts';
export { accessTokenHash, createDpopProof, generateDpopKeys } from './dpop-proof.ts';
export type { DpopOutcome, DpopProofRecord } from './dpop-verifier.ts';
export { DPOP_ALGS, DPOP_IAT_WINDOW_SECONDS } from './dpop-verifier.ts';
export type { Fault } from './faults.ts';
export { asLogged } from './logged.ts';
export type { OtherOrigin } from './other-origin.ts';
export { startOtherOrigin } from './other-origin.ts';
export {
  DEMO_SERVICE_ACCOUNT,
  PROFILE_CLIENT_OPTIONS,
  profileProvider,
  serviceAccountOptions,
} from './profile-provider.ts';
export type { ClientRecord, FederatedCredential, ProfileName } from './profiles.ts';
export { profiles } from './profiles.ts';
export type { RedisCluster } from './redis-cluster.ts';
export { redisCliBinary, startRedisCluster } from './redis-cluster.ts';
export type { RedisServer } from './redis-server.ts';
export { redisServerBinary, startRedisServer } from './redis-server.ts';
export type { DpopChallengeError } from './resource-dpop.ts';
export { dpopChallenge } from './resource-dpop.ts';
export type {
  ResourceCounters,
  ResourceRequestRecord,
  ResourceServer,
} from './resource-server.ts';
export { startResourceServer } from './resource-server.ts';
export type { AuthMethodSeen, AuthStats, DpopTally, TokenRequestRecord } from './stats.ts';
export type { AccessTokenClaims } from './token-signer.ts';
export { ENTRA_RESOURCE, ENTRA_TENANT_DOMAIN, ENTRA_TENANT_ID } from './vendors/entra.ts';
export { ENTRA_FEDERATED_AUDIENCE } from './vendors/entra-assertions.ts';
export type { VendorProfileName } from './vendors/index.ts';
export { KEYCLOAK_REALM } from './vendors/keycloak.ts';
export { SALESFORCE_ORG_ID } from './vendors/salesforce.ts';
// The conformance suite is a separate entry point (`@m2m-auth/test-utils/conformance`)
// because it imports vitest, which users of the servers alone may not have.
