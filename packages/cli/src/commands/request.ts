/**
 * `m2m-auth request URL`: one request through `fetchAuth`, as curl users type it. Prints the
 * status line and the headers (to stderr, or before the body with -i; -v traces every
 * exchange instead) and the body (stdout, or -o FILE).
 */
import { parseArgs } from 'node:util';
import { createTokenProvider, type TokenProviderOptions } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { CliError } from '../cli-error.ts';
import { parseCommandArgs, wantsHelp } from '../command-args.ts';
import { ExitCode } from '../exit-codes.ts';
import { REQUEST_HELP } from '../help.ts';
import {
  asRequestError,
  requestInit,
  responseHead,
  statusLine,
  targetUrl,
} from '../http-request.ts';
import type { Command, Io } from '../io.ts';
import { reportError } from '../report-error.ts';
import { BODY_OPTIONS, bodyKind, bodyPieces, checkStdinUse, requestBody } from '../request-body.ts';
import { requestTrace } from '../request-trace.ts';
import { writeOutput } from '../response-output.ts';
import { TOKEN_OPTIONS, tokenProviderOptions } from '../token-options.ts';

/** curl's own short and long names, so muscle memory works. */
const REQUEST_OPTIONS = {
  request: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  ...BODY_OPTIONS,
  include: { type: 'boolean', short: 'i' },
  silent: { type: 'boolean', short: 's' },
  // Errors always show, so curl's -S (show errors despite -s) changes nothing: -sS just works.
  'show-error': { type: 'boolean', short: 'S' },
  verbose: { type: 'boolean', short: 'v' },
  // Redirects are always followed (a cross-origin one without the token), so -L changes nothing.
  location: { type: 'boolean', short: 'L' },
  output: { type: 'string', short: 'o' },
  fail: { type: 'boolean', short: 'f' },
} as const;

/** fetchAuth (and the provider) over a fetch that traces each exchange on stderr, with -v. */
function authedFetchFor(url: URL, options: TokenProviderOptions, verbose: boolean, io: Io) {
  const secrets = typeof options.clientSecret === 'string' ? [options.clientSecret] : [];
  const trace = verbose ? requestTrace((text) => io.stderr.write(text), secrets) : undefined;
  const provider = createTokenProvider(
    trace ? { ...options, fetch: trace.fetch('token request') } : options,
  );
  return fetchAuth(provider, {
    origins: [url.origin],
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    ...(trace ? { fetch: trace.fetch() } : {}),
  });
}

export const request: Command = async (args, io) => {
  if (wantsHelp(args)) {
    io.stdout.write(REQUEST_HELP);
    return ExitCode.OK;
  }
  try {
    const { values, positionals, tokens } = parseCommandArgs(args, () =>
      parseArgs({
        args,
        options: { ...TOKEN_OPTIONS, ...REQUEST_OPTIONS },
        allowPositionals: true,
        tokens: true,
      }),
    );
    const url = targetUrl(positionals);
    const pieces = bodyPieces(tokens);
    checkStdinUse(pieces, values['client-secret-stdin'] ?? false);
    const init = requestInit(values, bodyKind(pieces));
    // Every flag is checked, then the secret read, then the body (a file, or stdin).
    const options = await tokenProviderOptions(values, io);
    const body = await requestBody(pieces, io.stdin);
    const authedFetch = authedFetchFor(url, options, values.verbose ?? false, io);
    let response: Response;
    let received: Uint8Array;
    try {
      response = await authedFetch(url, body === undefined ? init : { ...init, body });
      received = new Uint8Array(await response.arrayBuffer()); // bytes as they came: binary too
    } catch (error) {
      throw asRequestError(error, url, options.tokenUrl);
    }
    if (values.fail && response.status >= 400) {
      throw new CliError(
        `the server answered ${statusLine(response)} (--fail)`,
        ExitCode.HTTP_FAILED,
      );
    }
    // Status and headers show: before the body with -i (curl -i), else on stderr, so the
    // body alone can be piped on; -s keeps them quiet, and -v has traced them already.
    const head = responseHead(response);
    if (!values.include && !values.silent && !values.verbose) io.stderr.write(head);
    const parts = values.include ? [new TextEncoder().encode(head), received] : [received];
    await writeOutput(values.output, parts, io);
    return ExitCode.OK;
  } catch (error) {
    return reportError(error, io, 'request');
  }
};
