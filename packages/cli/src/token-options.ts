/**
 * The token flags `token` and `request` share, and how they become core's
 * `TokenProviderOptions`. The client secret comes from the environment or stdin, never from
 * an argument (see command-args.ts).
 */
import type { ClientAuth, TokenProviderOptions } from '@m2m-auth/core';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import type { Io } from './io.ts';
import { readFirstLine } from './stdin-line.ts';

/** Where the secret is read from when neither secret flag is given. */
export const DEFAULT_SECRET_ENV = 'M2M_AUTH_CLIENT_SECRET';

/** `parseArgs` options; long names only, so the commands' curl-like short flags stay free. */
export const TOKEN_OPTIONS = {
  'token-url': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret-env': { type: 'string' },
  'client-secret-stdin': { type: 'boolean' },
  auth: { type: 'string' },
  'client-id-in-body': { type: 'boolean' },
  scope: { type: 'string', multiple: true },
  audience: { type: 'string' },
  param: { type: 'string', multiple: true },
  'timeout-ms': { type: 'string' },
  'allow-insecure-http': { type: 'boolean' },
} as const;

/** The parsed values of `TOKEN_OPTIONS`, as `parseArgs` returns them. */
export interface TokenFlags {
  'token-url'?: string | undefined;
  'client-id'?: string | undefined;
  'client-secret-env'?: string | undefined;
  'client-secret-stdin'?: boolean | undefined;
  auth?: string | undefined;
  'client-id-in-body'?: boolean | undefined;
  scope?: string[] | undefined;
  audience?: string | undefined;
  param?: string[] | undefined;
  'timeout-ms'?: string | undefined;
  'allow-insecure-http'?: boolean | undefined;
}

const CLIENT_AUTH = new Map<string, ClientAuth>([
  ['basic', 'client_secret_basic'],
  ['basic-raw', 'client_secret_basic_raw'],
  ['post', 'client_secret_post'],
  ['auto', 'auto'],
]);

const usage = (message: string) => new CliError(message, ExitCode.USAGE);

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw usage(`${flag} is required`);
  return value;
}

async function clientSecret(flags: TokenFlags, io: Io): Promise<string> {
  const envName = flags['client-secret-env'];
  if (flags['client-secret-stdin']) {
    if (envName !== undefined)
      throw usage('give --client-secret-env or --client-secret-stdin, not both');
    const secret = await readFirstLine(io.stdin);
    if (secret === '') throw usage('--client-secret-stdin: the first line of stdin is empty');
    return secret;
  }
  const name = envName ?? DEFAULT_SECRET_ENV;
  const secret = io.env[name];
  if (secret === undefined || secret === '') throw unsetSecretVariable(envName);
  return secret;
}

/** A name as shells write them (POSIX): letters, digits and `_`, not starting with a digit. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The variable that should hold the secret is not set. A name given to `--client-secret-env`
 * is never repeated, whatever it looks like: a secret pasted in its place (`SOMEVALUE`, an
 * all-caps key) looks like a name too. The user knows what they typed; `printenv` checks it.
 */
function unsetSecretVariable(envName: string | undefined): CliError {
  if (envName === undefined) {
    return usage(
      `no client secret: the environment variable ${DEFAULT_SECRET_ENV} is not set (or pass --client-secret-env NAME or --client-secret-stdin)`,
    );
  }
  const lines = [
    'no client secret: the environment variable given to --client-secret-env is not set, or empty',
    '  (its name is not shown: a secret typed in its place would be)',
  ];
  if (!VARIABLE_NAME.test(envName)) {
    lines.push(
      '  it is not a variable name either: if it was the secret itself, it is now in your shell history, and rotating it is safest',
    );
  }
  return usage(lines.join('\n'));
}

/** `--param k=v ...`: a repeated name becomes a list, sent as repeated form fields. */
function params(pairs: readonly string[]): Record<string, string | string[]> {
  const byName = new Map<string, string[]>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usage('--param takes name=value');
    const name = pair.slice(0, at);
    byName.set(name, [...(byName.get(name) ?? []), pair.slice(at + 1)]);
  }
  // fromEntries defines own properties, so even a name like __proto__ stays a plain field.
  return Object.fromEntries(
    [...byName].map(([name, values]) => [
      name,
      values.length === 1 ? (values[0] as string) : values,
    ]),
  );
}

function clientAuth(name: string): ClientAuth {
  const method = CLIENT_AUTH.get(name);
  if (method === undefined)
    throw usage(`--auth must be one of ${[...CLIENT_AUTH.keys()].join(', ')}`);
  return method;
}

function timeoutMs(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1)
    throw usage('--timeout-ms takes a whole number of milliseconds above 0');
  return value;
}

/** The provider options the flags describe; reads the secret (stdin or environment) last. */
export async function tokenProviderOptions(
  flags: TokenFlags,
  io: Io,
): Promise<TokenProviderOptions & { tokenUrl: string }> {
  const tokenUrl = required(flags['token-url'], '--token-url');
  const clientId = required(flags['client-id'], '--client-id');
  const optional: Partial<TokenProviderOptions> = {
    clientIdInBody: flags['client-id-in-body'] ?? false,
    allowInsecureHttp: flags['allow-insecure-http'] ?? false,
  };
  if (flags.auth !== undefined) optional.clientAuth = clientAuth(flags.auth);
  if (flags.scope !== undefined) optional.scope = flags.scope;
  if (flags.audience !== undefined) optional.audience = flags.audience;
  if (flags.param !== undefined) optional.params = params(flags.param);
  if (flags['timeout-ms'] !== undefined) optional.timeoutMs = timeoutMs(flags['timeout-ms']);
  // Every flag is checked before stdin is read, so a typo never swallows a piped secret.
  return { ...optional, tokenUrl, clientId, clientSecret: await clientSecret(flags, io) };
}
