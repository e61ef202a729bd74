/**
 * What we know about the authorization server: where its token endpoint is (given, or read
 * once from the issuer's metadata: RFC 8414, then OpenID discovery), which client
 * authentication methods it lists, and how far its clock is from ours.
 */
import { type Clock, createClock } from './clock.ts';
import { DiscoveryError, isM2MAuthError } from './errors.ts';
import { type ExchangeLimits, exchange } from './http-exchange.ts';
import { checkTokenUrl } from './origins.ts';
import { parseBody } from './token-response.ts';

export interface ServerTarget {
  tokenUrl: string;
  issuer: string | undefined;
  /** `token_endpoint_auth_methods_supported`; `undefined` when not discovered or not listed. */
  authMethods: readonly string[] | undefined;
}

export interface TokenServer {
  clock: Clock;
  /** The target, reading the metadata on first use (one read shared by concurrent callers). */
  resolve(): Promise<ServerTarget>;
}

export interface TokenServerOptions {
  tokenUrl: string | undefined;
  issuer: string | undefined;
  /** With a TLS client auth method, a discovered `mtls_endpoint_aliases.token_endpoint` wins. */
  clientAuth: string | undefined;
  allowInsecureHttp: boolean;
  clockToleranceMs: number;
}

/** RFC 8414 §3.1 puts the well-known segment before the issuer's path; OpenID after it. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

function parseMetadata(
  text: string,
  contentType: string | null,
  issuer: string,
  options: TokenServerOptions,
) {
  const body = parseBody(text, contentType);
  if (!body) throw new DiscoveryError('Metadata is not a JSON object');
  // RFC 8414 §3.3: the metadata must name exactly the issuer we asked for (no mix-up).
  if (body['issuer'] !== issuer) {
    throw new DiscoveryError('Metadata names another issuer than the one configured');
  }
  // RFC 8705 §5: a server may publish its mTLS endpoints apart; TLS client auth uses those.
  const aliases = body['mtls_endpoint_aliases'] as Record<string, unknown> | undefined;
  const tls = options.clientAuth?.includes('tls_client_auth') ?? false;
  const tokenEndpoint =
    tls && typeof aliases?.['token_endpoint'] === 'string'
      ? aliases['token_endpoint']
      : body['token_endpoint'];
  if (typeof tokenEndpoint !== 'string') throw new DiscoveryError('Metadata has no token_endpoint');
  let tokenUrl: string;
  try {
    tokenUrl = checkTokenUrl(tokenEndpoint, options.allowInsecureHttp, 'token_endpoint');
  } catch (error) {
    throw new DiscoveryError(`Metadata token_endpoint is unusable: ${(error as Error).message}`);
  }
  const methods = body['token_endpoint_auth_methods_supported'];
  const authMethods =
    Array.isArray(methods) && methods.every((m) => typeof m === 'string')
      ? (methods as string[])
      : undefined;
  return { tokenUrl, issuer, authMethods };
}

async function discover(
  issuer: string,
  options: TokenServerOptions,
  limits: ExchangeLimits,
  clock: Clock,
): Promise<ServerTarget> {
  for (const url of metadataUrls(issuer)) {
    const { response, text, receivedAt } = await exchange(
      url,
      { method: 'GET', headers: { accept: 'application/json' } },
      limits,
    );
    clock.observe(response.headers.get('date'), receivedAt);
    if (response.status === 404) continue;
    if (!response.ok) {
      throw new DiscoveryError(`Metadata request answered HTTP ${response.status}`, {
        status: response.status,
      });
    }
    return parseMetadata(text, response.headers.get('content-type'), issuer, options);
  }
  throw new DiscoveryError('No metadata at the issuer (RFC 8414 or OpenID discovery)', {
    status: 404,
  });
}

export function createTokenServer(
  options: TokenServerOptions,
  limits: ExchangeLimits,
): TokenServer {
  const clock = createClock(options.clockToleranceMs);
  if (options.tokenUrl !== undefined) {
    const target = Promise.resolve({
      tokenUrl: options.tokenUrl,
      issuer: options.issuer,
      authMethods: undefined,
    });
    return { clock, resolve: () => target };
  }
  const issuer = options.issuer as string; // options.ts insists on one of the two
  let found: Promise<ServerTarget> | undefined;
  return {
    clock,
    resolve() {
      found ??= discover(issuer, options, limits, clock).catch((error: unknown) => {
        found = undefined; // read again on the next request: the server may come back
        throw isM2MAuthError(error) ? error : new DiscoveryError(String(error));
      });
      return found;
    },
  };
}
