/**
 * What every command does with its arguments before reading them: answer `--help`, refuse a
 * secret given on the command line, and turn `parseArgs` errors into usage errors.
 */
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

/** `--client-secret`, `--secret`, `--client_secret`, with or without `=value`. */
const SECRET_FLAG = /^--(client[-_]?)?secret(=|$)/;

/** The arguments before a `--`: after it, everything is a positional value. */
const flagsOf = (args: readonly string[]) => {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
};

export function wantsHelp(args: readonly string[]): boolean {
  return flagsOf(args).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Refuses a secret passed as an argument value, before anything could echo it: arguments
 * are visible to every user of the machine (`ps`, /proc) and kept in shell history.
 */
export function refuseSecretArgument(args: readonly string[]): void {
  const flag = flagsOf(args).find((arg) => SECRET_FLAG.test(arg));
  if (flag === undefined) return;
  throw new CliError(
    `${flag.split('=')[0]} is refused: a secret given as an argument is visible to other ` +
      'users in `ps` and stays in your shell history. Put it in an environment variable and ' +
      'pass --client-secret-env NAME, or pipe it in with --client-secret-stdin.',
    ExitCode.USAGE,
  );
}

/**
 * Runs `parseArgs`, turning its errors into usage errors. Its messages name flags, never
 * values, except "Unexpected argument '<value>'", which is why positionals are allowed here
 * and counted by the commands instead.
 */
export function parseCommandArgs<T>(args: readonly string[], parse: () => T): T {
  refuseSecretArgument(args);
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      // The first line says what is wrong; the rest is parseArgs' advice on `--`.
      const message = (error as Error).message.split('\n')[0] ?? 'invalid arguments';
      throw new CliError(message.replace(/\. To specify a positional.*$/, ''), ExitCode.USAGE);
    }
    throw error;
  }
}
