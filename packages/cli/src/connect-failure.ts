/**
 * Why a URL could not be reached, in curl's words: "Failed to connect to 127.0.0.1 port 9:
 * Connection refused", "Could not resolve host: auth.example". Built from the host and port
 * of the URL we were given and a system error code, nothing else: undici's own messages can
 * quote a request header, our token included.
 */
import { ErrorCode, isM2MAuthError } from '@m2m-auth/core';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ETIMEDOUT: 'Connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'Connection timed out',
};
const RESOLVE_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const TLS_FAILURE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;
const SYSTEM_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

/** The first system error code down the `cause` chain (ECONNREFUSED, ENOTFOUND, ...). */
function systemCode(error: unknown): string | undefined {
  let node = error;
  for (let depth = 0; depth < 5 && typeof node === 'object' && node !== null; depth++) {
    const code = (node as { code?: unknown }).code;
    // Our own codes (M2M_NETWORK_ERROR) say where, not why.
    if (typeof code === 'string' && SYSTEM_CODE.test(code) && !code.startsWith('M2M_')) return code;
    node = (node as { cause?: unknown }).cause;
  }
  return undefined;
}

/** "Failed to connect to 127.0.0.1 port 9: Connection refused", "Could not resolve host: x". */
export function describeConnectFailure(error: unknown, url: URL): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 without its brackets, as curl
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const code = systemCode(error);
  if (code === undefined) return `Connection to ${host} port ${port} failed`;
  const reason = CONNECT_FAILURES[code];
  if (reason) return `Failed to connect to ${host} port ${port}: ${reason}`;
  if (RESOLVE_FAILURES.has(code)) return `Could not resolve host: ${host}`;
  if (code === 'ECONNRESET') return `Connection to ${host} port ${port} reset by peer`;
  if (TLS_FAILURE.test(code)) return `TLS connection to ${host} port ${port} failed: ${code}`;
  return `Connection to ${host} port ${port} failed: ${code}`;
}

/**
 * A token endpoint that could not be reached, as a CliError naming its host and port; any
 * other error as it is (a timeout, an OAuth error: they have their own messages and codes).
 */
export function tokenEndpointUnreachable(error: unknown, tokenUrl: string): unknown {
  if (!isM2MAuthError(error) || error.code !== ErrorCode.NETWORK || !URL.canParse(tokenUrl))
    return error;
  return new CliError(
    `the token endpoint could not be reached: ${describeConnectFailure(error.cause, new URL(tokenUrl))}`,
    ExitCode.NETWORK,
  );
}
