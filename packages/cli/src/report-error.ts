/**
 * Turns a failure into `m2m-auth: <message>` lines on stderr and the exit code for its kind.
 * Core's errors are already redacted (no secret, Basic value or token in any message or
 * OAuth field); the CLI's own messages never quote argument values.
 */
import { ErrorCode, isM2MAuthError, isOAuthError, type OAuthError } from '@m2m-auth/core';
import { CliError } from './cli-error.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';
import type { Io } from './io.ts';

/** Next steps for the RFC 6749 errors a newcomer meets first. */
const OAUTH_HINTS: Record<string, string> = {
  invalid_client:
    'check --client-id and the secret, then how they are sent: --auth (try --auth auto), or --client-id-in-body for AWS Cognito-based servers',
  invalid_scope: 'check --scope: the server decides which scopes this client may ask for',
  invalid_request:
    'the server may want the credentials sent another way: --auth post, --auth basic, or --client-id-in-body',
  unauthorized_client: 'this client may not use the client_credentials grant; ask the vendor',
};

/** Core names its options as in code; on the command line they are flags. */
const FLAG_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/\btokenUrl\b/g, '--token-url'],
  [/\ballowInsecureHttp\b/g, '--allow-insecure-http'],
  [/\bclientIdInBody\b/g, '--client-id-in-body'],
  [/\btimeoutMs\b/g, '--timeout-ms'],
  [/\bparams\./g, '--param '],
];

function oauthLines(error: OAuthError): string[] {
  const lines = [`the token endpoint refused the request (HTTP ${error.status ?? '?'})`];
  lines.push(`  error: ${error.error}`);
  if (error.error_description) lines.push(`  error_description: ${error.error_description}`);
  if (error.error_uri) lines.push(`  error_uri: ${error.error_uri}`);
  const hint = Object.hasOwn(OAUTH_HINTS, error.error) ? OAUTH_HINTS[error.error] : undefined;
  if (hint) lines.push(`  hint: ${hint}`);
  return lines;
}

function describe(error: unknown, command: string | undefined): { lines: string[]; code: number } {
  if (error instanceof CliError) {
    const lines = [error.message];
    if (error.exitCode === ExitCode.USAGE)
      lines.push(
        `  run '${command === undefined ? 'm2m-auth' : `m2m-auth ${command}`} --help' for usage`,
      );
    return { lines, code: error.exitCode };
  }
  if (isOAuthError(error)) return { lines: oauthLines(error), code: exitCodeFor(error) };
  if (isM2MAuthError(error)) {
    const message =
      error.code === ErrorCode.CONFIG
        ? FLAG_NAMES.reduce((text, [name, flag]) => text.replace(name, flag), error.message)
        : error.message;
    return { lines: [message], code: exitCodeFor(error) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [`unexpected error: ${message}`], code: ExitCode.UNEXPECTED };
}

/** Writes the failure to stderr (`m2m-auth: <message>`, details indented) and returns the exit code. */
export function reportError(error: unknown, io: Io, command?: string): number {
  const { lines, code } = describe(error, command);
  io.stderr.write(`m2m-auth: ${lines.join('\n')}\n`);
  return code;
}
