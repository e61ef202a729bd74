/**
 * The part of oidc-provider (https://github.com/panva/node-oidc-provider, which ships no
 * types) that the certified server uses. Kept out of every exported type, so users of
 * test-utils who never start the certified server need neither the package nor these.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type AdapterPayload = Record<string, unknown>;

/** A storage adapter (oidc-provider's `adapter` option: one instance per model name). */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The koa context, as far as the certified server reads it. */
export interface KoaContextWithOIDC {
  method: string;
  path: string;
  status: number;
  body: unknown;
  get(header: string): string;
  oidc?: {
    client?: { clientId: string; clientAuthMethod: string; scope?: string };
    params?: Record<string, unknown>;
    entity?(name: string, value: unknown): void;
  };
}

/** An access token of oidc-provider's `ClientCredentials` model, as the extra grants use it. */
export interface OidcAccessToken {
  resourceServer?: unknown;
  scope?: string;
  readonly expiration: number;
  readonly tokenType: string;
  save(): Promise<string>;
}

export interface OidcClientCredentialsModel {
  new (fields: { client: unknown; scope?: string | undefined }): OidcAccessToken;
  find(value: string): Promise<(OidcAccessToken & { clientId: string }) | undefined>;
}

/** `provider.registerGrantType(name, handler, params, dupes)`: the handler runs once the client authenticated. */
export type GrantHandler = (ctx: KoaContextWithOIDC) => Promise<void>;

export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

export interface OidcProvider {
  readonly issuer: string;
  use(middleware: Middleware): this;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  registerGrantType(name: string, handler: GrantHandler, params: string[], dupes?: string[]): void;
  readonly ClientCredentials: OidcClientCredentialsModel;
  readonly ResourceServer: new (identifier: string, info: Record<string, unknown>) => unknown;
}

type OidcError = new (description?: string) => Error;

export interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  errors: {
    InvalidTarget: OidcError;
    InvalidGrant: OidcError;
    InvalidRequest: OidcError;
    InvalidScope: new (description: string, scope: string) => Error;
  };
}
