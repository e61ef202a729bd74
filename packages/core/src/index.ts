export type { AssertionKeyOptions } from './assertion-signer.ts';
export type { CertificateOptions } from './certificate-headers.ts';
export type { ClientAssertionOptions, PrivateKeyInput } from './client-assertion.ts';
export type { ClientAuth, ClientAuthMethod } from './client-auth.ts';
export { basicAuthorization, formEncode } from './client-auth.ts';
export type { CredentialInput, CredentialSource } from './credential-source.ts';
export type { ReplayNotice, TokenRequestContext, TokenServed } from './diagnostics.ts';
export { DIAGNOSTICS_CHANNELS } from './diagnostics.ts';
export type { DpopAlg, DpopOptions, DpopProver } from './dpop.ts';
export type { M2MAuthErrorOptions } from './errors.ts';
export {
  ConfigError,
  DiscoveryError,
  ErrorCode,
  isM2MAuthError,
  isOAuthError,
  M2MAuthError,
  OAuthError,
  StoreError,
  TokenHttpError,
  TokenNetworkError,
  TokenResponseError,
  TokenTimeoutError,
} from './errors.ts';
export type { Logger, TokenEvent, TokenEventType } from './events.ts';
export type { ClientCredentialsGrant, GrantOptions } from './grant-options.ts';
export type { SignCallback } from './jws-callback.ts';
export type { JwtBearerGrant } from './jwt-bearer-grant.ts';
export type { MemoryStore, MemoryStoreOptions } from './memory-store.ts';
export { memoryStore } from './memory-store.ts';
export type { TokenProviderOptions } from './options.ts';
export { isLoopback } from './origins.ts';
// The request exchange adapters share is behind `@m2m-auth/core/adapter`; adapter options
// extend these.
export type { RequestPolicyOptions } from './request-policy.ts';
export type { RetryOptions } from './retry.ts';
export type { SecretInput } from './secret-source.ts';
export type { SharedFailure } from './shared-failure.ts';
export { reviveFailure } from './shared-failure.ts';
export type { FetchLike } from './token-endpoint.ts';
export type { TokenExchangeGrant, TokenTypeName } from './token-exchange-grant.ts';
export type { JsonValue, TokenExtras } from './token-extras.ts';
export { reviveExtras } from './token-extras.ts';
export type { GetTokenOptions, InvalidateOptions, TokenProvider } from './token-provider.ts';
export { createTokenProvider } from './token-provider.ts';
export type { LifetimeSource } from './token-response.ts';
export type { TokenResponseInfo, TokenResponseMapper } from './token-response-mapper.ts';
export type { AccessToken, StoredToken, TokenStore, TokenStoreLock } from './token-store.ts';
// Not exported: the redactor, single-flight and expiry internals. They are decisions the
// provider makes; exposing them would make them API.
