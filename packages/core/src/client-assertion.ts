/**
 * RFC 7523 client assertions (`private_key_jwt`, `client_secret_jwt`; OpenID Connect Core
 * §9), sent as `client_assertion`: signed here (assertion-signer.ts), or issued elsewhere and
 * read from a credential source (workload identity).
 */
import {
  type AssertionKeyOptions,
  type AssertionSigner,
  checkAssertionKey,
  privateKeySigner,
  secretSigner,
} from './assertion-signer.ts';
import {
  type CredentialInput,
  credentialIdentity,
  isCredentialInput,
} from './credential-source.ts';
import { ConfigError } from './errors.ts';
import { secretSource } from './secret-source.ts';

export type { AssertionSigner, PrivateKeyInput } from './assertion-signer.ts';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientAssertionOptions extends AssertionKeyOptions {
  /**
   * An assertion issued elsewhere, sent as `private_key_jwt` is (workload identity: a
   * Kubernetes service-account token, Entra's `AZURE_FEDERATED_TOKEN_FILE`, a GitHub Actions
   * OIDC token): a string, a function, or `fromFile(path)` from `@m2m-auth/core/files`. Read
   * before the first token request; again before a later one when the file changed or the
   * JWT's `exp` is within a minute; and once more when the server refuses it. Instead of
   * `privateKey` or `sign`.
   */
  assertion?: CredentialInput;
  /**
   * `aud` claim: the token endpoint URL (RFC 7523 §3), the issuer (some servers, and OpenID
   * Connect's recommendation from 2025 on), or any string. @default 'token_endpoint'
   */
  audience?: 'token_endpoint' | 'issuer' | (string & {});
}

/** Options that cannot work, refused where they are given. */
export function checkClientAssertion(options: ClientAssertionOptions | undefined): void {
  if (options === undefined) return;
  checkAssertionKey(options, 'clientAssertion');
  if (options.assertion === undefined) return;
  if (!isCredentialInput(options.assertion) || options.assertion === '') {
    throw new ConfigError(
      'clientAssertion.assertion must be a non-empty string, a function or a source',
    );
  }
  if (options.privateKey !== undefined || options.sign !== undefined) {
    throw new ConfigError(
      'clientAssertion takes an assertion from outside or a key to sign one, not both',
    );
  }
}

/**
 * `private_key_jwt` with an assertion from outside: what the source holds is sent as it is
 * (the platform chose its claims); the cache key knows the source, not the rotating JWT.
 */
export function externalAssertion(
  input: CredentialInput,
  onValue: (assertion: string) => void,
  name = 'clientAssertion.assertion',
): AssertionSigner {
  const source = secretSource(input, onValue, name);
  return {
    fingerprint: `external:${credentialIdentity(input)}`,
    source,
    async sign() {
      return (source.current() ?? (await source.load())) as string;
    },
  };
}

/** The signers a provider's options call for: one per assertion method it may use. */
export function assertionSigners(
  config: { clientAuth: string | undefined; clientAssertion: ClientAssertionOptions },
  secret: { current(): string | undefined },
  hasSecret: boolean,
  onAssertion: (assertion: string) => void,
): Partial<Record<'private_key_jwt' | 'client_secret_jwt', AssertionSigner>> {
  const { clientAuth, clientAssertion } = config;
  const signers: Partial<Record<'private_key_jwt' | 'client_secret_jwt', AssertionSigner>> = {};
  if (clientAssertion.assertion !== undefined) {
    signers.private_key_jwt = externalAssertion(clientAssertion.assertion, onAssertion);
  } else if (clientAssertion.privateKey !== undefined || clientAssertion.sign !== undefined) {
    signers.private_key_jwt = privateKeySigner(clientAssertion, 'clientAssertion');
  }
  if (clientAuth === 'client_secret_jwt') {
    signers.client_secret_jwt = secretSigner(clientAssertion, () => secret.current() ?? '');
  } else if (clientAuth === undefined && hasSecret) {
    // With discovery the server may pick client_secret_jwt: HMAC, whatever alg the key uses.
    const alg =
      clientAssertion.alg && /^HS/.test(clientAssertion.alg) ? clientAssertion.alg : 'HS256';
    signers.client_secret_jwt = secretSigner(
      { ...clientAssertion, alg },
      () => secret.current() ?? '',
    );
  }
  return signers;
}
