/**
 * `m2m-auth request URL`: one request through `fetchAuth`. Prints the status line and the
 * headers (to stderr, or before the body on stdout with -i) and the body (stdout).
 */
import { parseArgs } from 'node:util';
import { createTokenProvider } from '@m2m-auth/core';
import { fetchAuth } from '@m2m-auth/fetch';
import { CliError } from '../cli-error.ts';
import { parseCommandArgs, wantsHelp } from '../command-args.ts';
import { ExitCode } from '../exit-codes.ts';
import { REQUEST_HELP } from '../help.ts';
import { asRequestError, requestInit, responseHead, targetUrl } from '../http-request.ts';
import type { Command } from '../io.ts';
import { reportError } from '../report-error.ts';
import { TOKEN_OPTIONS, tokenProviderOptions } from '../token-options.ts';

/** curl's own short and long names, so muscle memory works. */
const REQUEST_OPTIONS = {
  request: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  include: { type: 'boolean', short: 'i' },
  silent: { type: 'boolean', short: 's' },
  fail: { type: 'boolean', short: 'f' },
} as const;

export const request: Command = async (args, io) => {
  if (wantsHelp(args)) {
    io.stdout.write(REQUEST_HELP);
    return ExitCode.OK;
  }
  try {
    const { values, positionals } = parseCommandArgs(args, () =>
      parseArgs({
        args,
        options: { ...TOKEN_OPTIONS, ...REQUEST_OPTIONS },
        allowPositionals: true,
      }),
    );
    const url = targetUrl(positionals);
    const init = requestInit(values);
    const options = await tokenProviderOptions(values, io);
    const authedFetch = fetchAuth(createTokenProvider(options), {
      origins: [url.origin],
      allowInsecureHttp: options.allowInsecureHttp ?? false,
    });
    let response: Response;
    let body: Uint8Array;
    try {
      response = await authedFetch(url, init);
      body = new Uint8Array(await response.arrayBuffer()); // bytes as they came: binary too
    } catch (error) {
      throw asRequestError(error, url);
    }
    if (values.fail && response.status >= 400) {
      const status = `${response.status} ${response.statusText}`.trimEnd();
      throw new CliError(`the server answered HTTP ${status} (--fail)`, ExitCode.HTTP_FAILED);
    }
    // Status and headers always show: on stdout before the body with -i (curl -i), else on
    // stderr, so the body alone can be piped on; -s keeps them quiet.
    if (values.include) io.stdout.write(responseHead(response));
    else if (!values.silent) io.stderr.write(responseHead(response));
    io.stdout.write(body);
    return ExitCode.OK;
  } catch (error) {
    return reportError(error, io, 'request');
  }
};
