/** The curl-like half of `m2m-auth request`: the target URL, the request init, the printed head. */
import { isM2MAuthError } from '@m2m-auth/core';
import { escapeControls } from '@m2m-auth/core/adapter';
import { CliError } from './cli-error.ts';
import { describeConnectFailure, tokenEndpointUnreachable } from './connect-failure.ts';
import { ExitCode } from './exit-codes.ts';
import type { BodyKind } from './request-body.ts';

const usage = (message: string) => new CliError(message, ExitCode.USAGE);

/** The one positional argument, as a URL. Never quoted back: it may carry an API key. */
export function targetUrl(positionals: readonly string[]): URL {
  if (positionals.length !== 1)
    throw usage(`request takes one URL, got ${positionals.length} arguments`);
  const text = positionals[0] as string;
  if (!URL.canParse(text)) throw usage('the URL is not an absolute URL');
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw usage('the URL must be https: or http:');
  if (url.username || url.password)
    throw usage('the URL must not carry credentials: the token is the credential');
  return url;
}

export interface RequestFlags {
  request?: string | undefined;
  header?: string[] | undefined;
}

/** What each kind of body is sent as when no -H says otherwise (curl's defaults). */
const BODY_HEADERS: Record<BodyKind, ReadonlyArray<[string, string]>> = {
  form: [['content-type', 'application/x-www-form-urlencoded']],
  json: [
    ['content-type', 'application/json'],
    ['accept', 'application/json'],
  ],
};

/**
 * `-X` and `-H` as curl reads them, for a request with a body of `bodyKind` (or none): a
 * body means POST unless -X says otherwise. The body itself is read later, once every flag
 * has been checked.
 */
export function requestInit(
  flags: RequestFlags,
  bodyKind: BodyKind | undefined,
): { method: string; headers: Headers } {
  const method = (flags.request ?? (bodyKind === undefined ? 'GET' : 'POST')).toUpperCase();
  const headers = new Headers();
  for (const header of flags.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw usage("-H takes 'Name: value'");
    try {
      headers.append(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
    } catch {
      throw usage('-H: not a valid header name or value');
    }
  }
  if (bodyKind === undefined) return { method, headers };
  // fetch refuses a body on GET and HEAD; say so as usage rather than as a network error.
  if (method === 'GET' || method === 'HEAD')
    throw usage(`a body cannot be sent with ${method}; use -X POST (or PUT, PATCH)`);
  for (const [name, value] of BODY_HEADERS[bodyKind])
    if (!headers.has(name)) headers.set(name, value);
  return { method, headers };
}

/** `HTTP 200 OK` with the server's reason text escaped for the terminal (it may hold ESC). */
export const statusLine = (response: Response) =>
  `HTTP ${response.status} ${escapeControls(response.statusText)}`.trimEnd();

/**
 * `HTTP 200 OK`, the headers, a blank line: what `curl -i` prints before the body. Unlike
 * curl, control characters in the server's text are escaped: a terminal would obey them.
 */
export function responseHead(response: Response): string {
  const lines = [statusLine(response)];
  for (const [name, value] of response.headers) lines.push(`${name}: ${escapeControls(value)}`);
  return `${lines.join('\n')}\n\n`;
}

/**
 * A token endpoint that could not be reached says which host and port; other token errors
 * pass through (they have their own exit codes); anything else fetch throws means the URL
 * itself could not be reached or read.
 */
export function asRequestError(error: unknown, url: URL, tokenUrl: string): unknown {
  if (isM2MAuthError(error)) return tokenEndpointUnreachable(error, tokenUrl);
  if (!(error instanceof Error)) return error;
  return new CliError(
    `the URL could not be reached: ${describeConnectFailure(error, url)}`,
    ExitCode.NETWORK,
  );
}
