/** The curl-like half of `m2m-auth request`: the target URL, the request init, the printed head. */
import { isM2MAuthError } from '@m2m-auth/core';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

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
  data?: string | undefined;
}

/** `-X`, `-H`, `-d` as curl reads them: `-d` means POST and a form body unless told otherwise. */
export function requestInit(flags: RequestFlags): RequestInit {
  const method = (flags.request ?? (flags.data === undefined ? 'GET' : 'POST')).toUpperCase();
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
  if (flags.data === undefined) return { method, headers };
  // fetch refuses a body on GET and HEAD; say so as usage rather than as a network error.
  if (method === 'GET' || method === 'HEAD')
    throw usage(`-d cannot be sent with ${method}; use -X POST (or PUT, PATCH)`);
  if (!headers.has('content-type'))
    headers.set('content-type', 'application/x-www-form-urlencoded');
  return { method, headers, body: flags.data };
}

/** `HTTP 200 OK`, the headers, a blank line: what `curl -i` prints before the body. */
export function responseHead(response: Response): string {
  const lines = [`HTTP ${response.status} ${response.statusText}`.trimEnd()];
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
  return `${lines.join('\n')}\n\n`;
}

/**
 * Token errors pass through (they have their own exit codes); anything else fetch throws
 * means the URL itself could not be reached or read.
 */
export function asRequestError(error: unknown, url: URL): unknown {
  if (isM2MAuthError(error) || !(error instanceof Error)) return error;
  // Only a system error's code is quoted (ECONNREFUSED, ENOTFOUND, ...): other messages
  // (undici's invalid header value, say) can quote a request header, our token included.
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  const reason = typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? `: ${code}` : '';
  return new CliError(`could not reach ${url.origin}${reason}`, ExitCode.NETWORK);
}
