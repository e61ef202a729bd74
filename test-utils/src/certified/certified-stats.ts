/**
 * What the certified server counts (`counting-middleware.ts` fills it in, from inside
 * oidc-provider): every token request, answered or refused, and the discovery reads.
 */

export interface CertifiedTokenRequest {
  /** The status oidc-provider answered with (0 while it works on the request). */
  status: number;
  /** The `error` of its answer, if any (`use_dpop_nonce`, `invalid_client`, ...). */
  error: string | undefined;
  /** The client that authenticated (`undefined` when client authentication failed). */
  clientId: string | undefined;
  /** How it authenticated (its registered `token_endpoint_auth_method`). */
  authMethod: string | undefined;
  grantType: string | undefined;
  /** The `resource` parameter(s) as received. */
  resource: string | string[] | undefined;
  /** A `DPoP` header came. */
  dpop: boolean;
  /** `token_type` of a success (`Bearer` or `DPoP`); `undefined` when no token was issued. */
  tokenType: string | undefined;
}

export interface CertifiedStats {
  /** Every token request, in the order they arrived. */
  tokenRequests: CertifiedTokenRequest[];
  /** Token requests, failed ones included. */
  readonly total: number;
  /** Token requests answered with an access token. */
  readonly issued: number;
  /**
   * Discovery reads, per document: RFC 8414 `/.well-known/oauth-authorization-server`
   * (`oauth`) and OpenID `/.well-known/openid-configuration` (`openid`).
   */
  discovery: { oauth: number; openid: number };
  reset(): void;
}

export function createCertifiedStats(): CertifiedStats {
  const tokenRequests: CertifiedTokenRequest[] = [];
  const stats: CertifiedStats = {
    tokenRequests,
    get total() {
      return tokenRequests.length;
    },
    get issued() {
      return tokenRequests.filter((r) => r.tokenType !== undefined).length;
    },
    discovery: { oauth: 0, openid: 0 },
    reset() {
      tokenRequests.length = 0;
      stats.discovery = { oauth: 0, openid: 0 };
    },
  };
  return stats;
}
