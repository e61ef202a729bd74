/**
 * Failures the CLI detects itself (bad usage, an opaque token to `--decode`, an HTTP error
 * under `--fail`), each carrying its exit code. Messages are composed here from flag names
 * and counts, never from argument values, so a secret typed in the wrong place is not echoed.
 * One exception: the host and port of a URL that could not be reached, as curl names them.
 */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}
