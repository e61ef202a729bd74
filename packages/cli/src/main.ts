/** `m2m-auth <command>`: dispatches to a command and returns the exit code. */

import { refuseSecretArgument } from './command-args.ts';
import { demo } from './commands/demo.ts';
import { request } from './commands/request.ts';
import { token } from './commands/token.ts';
import { ExitCode } from './exit-codes.ts';
import type { Command, Io } from './io.ts';
import { reportError } from './report-error.ts';

const COMMANDS: Record<string, Command> = { token, request, demo };

export const USAGE = `m2m-auth: OAuth 2.0 client-credentials tokens from the command line

Usage:
  m2m-auth token   --token-url URL --client-id ID [--client-secret-env NAME | --client-secret-stdin] [options]
  m2m-auth request URL [-X METHOD] [-H 'K: V' ...] [-d BODY | --json BODY] [-v] [-o FILE] (same token options)
  m2m-auth demo

Run 'm2m-auth <command> --help' for a command's options and examples.
`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  try {
    refuseSecretArgument(argv); // also before the command name, where it would be echoed
  } catch (error) {
    // Help for the command typed, if one was: `m2m-auth token --help`, else `m2m-auth --help`.
    return reportError(
      error,
      io,
      name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined,
    );
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    // Named only when it looks like a command: a mistyped value might be a secret.
    const shown = /^[a-z]{1,20}$/.test(name) ? ` '${name}'` : '';
    io.stderr.write(`m2m-auth: unknown command${shown}\n\n${USAGE}`);
    return ExitCode.USAGE;
  }
  return command(args, io);
}
