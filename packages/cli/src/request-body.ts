/**
 * The request body as curl builds it from `-d`, `--data-raw`, `--data-binary` and `--json`,
 * in the order given: pieces are joined with `&`, except that a `--json` piece is appended
 * as it is; `@FILE` reads a file and `@-` stdin (`-d` then drops CR and LF, as curl does;
 * `--data-binary` and `--json` keep every byte; `--data-raw` takes no `@` at all).
 */
import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error.ts';
import { errnoNote } from './errno-note.ts';
import { ExitCode } from './exit-codes.ts';

export const BODY_OPTIONS = {
  data: { type: 'string', short: 'd', multiple: true },
  'data-raw': { type: 'string', multiple: true },
  'data-binary': { type: 'string', multiple: true },
  json: { type: 'string', multiple: true },
} as const;

type BodyFlag = keyof typeof BODY_OPTIONS;
export interface BodyPiece {
  flag: BodyFlag;
  value: string;
}
/** What the body is sent as: a form (`-d` and its kin), or JSON once any `--json` is given. */
export type BodyKind = 'form' | 'json';

const isBodyFlag = (name: string): name is BodyFlag => Object.hasOwn(BODY_OPTIONS, name);
const usage = (message: string) => new CliError(message, ExitCode.USAGE);

/** The body pieces in command-line order, from `parseArgs`' tokens. */
export function bodyPieces(
  tokens: ReadonlyArray<{ kind: string; name?: string; value?: string | undefined }>,
): BodyPiece[] {
  const pieces: BodyPiece[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined || !isBodyFlag(token.name)) continue;
    pieces.push({ flag: token.name, value: token.value ?? '' });
  }
  return pieces;
}

export function bodyKind(pieces: readonly BodyPiece[]): BodyKind | undefined {
  if (pieces.length === 0) return undefined;
  return pieces.some((piece) => piece.flag === 'json') ? 'json' : 'form';
}

/** Where a piece is read from: a path, `-` for stdin, or undefined for the value itself. */
const source = (piece: BodyPiece) =>
  piece.flag !== 'data-raw' && piece.value.startsWith('@') ? piece.value.slice(1) : undefined;

/** stdin can be read once: by one `@-`, or by `--client-secret-stdin`. */
export function checkStdinUse(pieces: readonly BodyPiece[], secretFromStdin: boolean): void {
  const reads = pieces.filter((piece) => source(piece) === '-').length;
  if (reads > 1) throw usage('stdin can be read once: give @- to one body option');
  if (reads === 1 && secretFromStdin)
    throw usage(
      'a body from @- and --client-secret-stdin both read stdin: put the secret in an environment variable (--client-secret-env NAME)',
    );
}

async function readAll(stdin: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  return Buffer.concat(chunks);
}

const CR = 0x0d;
const LF = 0x0a;

async function pieceBytes(piece: BodyPiece, stdin: NodeJS.ReadableStream): Promise<Uint8Array> {
  const from = source(piece);
  if (from === undefined) return new TextEncoder().encode(piece.value);
  let bytes: Uint8Array;
  try {
    bytes = from === '-' ? await readAll(stdin) : await readFile(from);
  } catch (error) {
    // The file is named by its flag, not by its path: the message quotes no argument.
    const what = from === '-' ? 'stdin' : 'the file';
    throw new CliError(
      `--${piece.flag} @: ${what} could not be read${errnoNote(error)}`,
      ExitCode.READ_FAILED,
    );
  }
  return piece.flag === 'data' ? bytes.filter((byte) => byte !== CR && byte !== LF) : bytes;
}

/** The body the pieces make, or undefined when there are none. */
export async function requestBody(
  pieces: readonly BodyPiece[],
  stdin: NodeJS.ReadableStream,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (pieces.length === 0) return undefined;
  const parts: Uint8Array[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (index > 0 && piece.flag !== 'json') parts.push(new TextEncoder().encode('&'));
    parts.push(await pieceBytes(piece, stdin));
  }
  return new Uint8Array(Buffer.concat(parts));
}
