/** `m2m-auth token`: get one access token and print it (or the response, or its claims). */
import { parseArgs } from 'node:util';
import { createTokenProvider } from '@m2m-auth/core';
import { CliError } from '../cli-error.ts';
import { parseCommandArgs, wantsHelp } from '../command-args.ts';
import { tokenEndpointUnreachable } from '../connect-failure.ts';
import { ExitCode } from '../exit-codes.ts';
import { TOKEN_HELP } from '../help.ts';
import type { Command } from '../io.ts';
import { reportError } from '../report-error.ts';
import { TOKEN_OPTIONS, tokenProviderOptions } from '../token-options.ts';
import { formatToken, type TokenFormat } from '../token-output.ts';

const OUTPUT_OPTIONS = {
  json: { type: 'boolean' },
  decode: { type: 'boolean' },
} as const;

function outputFormat(values: {
  json?: boolean | undefined;
  decode?: boolean | undefined;
}): TokenFormat {
  if (values.json && values.decode)
    throw new CliError('give --json or --decode, not both', ExitCode.USAGE);
  return values.json ? 'json' : values.decode ? 'decode' : 'token';
}

export const token: Command = async (args, io) => {
  if (wantsHelp(args)) {
    io.stdout.write(TOKEN_HELP);
    return ExitCode.OK;
  }
  try {
    const { values, positionals } = parseCommandArgs(args, () =>
      parseArgs({ args, options: { ...TOKEN_OPTIONS, ...OUTPUT_OPTIONS }, allowPositionals: true }),
    );
    // Counted, not quoted: a stray positional may well be a secret typed without its flag.
    if (positionals.length > 0) {
      throw new CliError(
        `token takes only flags, but got ${positionals.length} other argument(s)`,
        ExitCode.USAGE,
      );
    }
    const format = outputFormat(values);
    const options = await tokenProviderOptions(values, io);
    const token = await createTokenProvider(options)
      .getToken()
      .catch((error: unknown) => {
        throw tokenEndpointUnreachable(error, options.tokenUrl);
      });
    io.stdout.write(formatToken(token, format));
    return ExitCode.OK;
  } catch (error) {
    return reportError(error, io, 'token');
  }
};
