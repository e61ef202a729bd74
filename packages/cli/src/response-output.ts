/** Where `m2m-auth request` puts what curl would print on stdout: stdout, or `-o FILE`. */
import { writeFile } from 'node:fs/promises';
import { CliError } from './cli-error.ts';
import { errnoNote } from './errno-note.ts';
import { ExitCode } from './exit-codes.ts';
import type { Io } from './io.ts';

/** Writes `parts` to stdout, or to `file` (created or replaced; `-` is stdout, as in curl). */
export async function writeOutput(
  file: string | undefined,
  parts: readonly Uint8Array[],
  io: Io,
): Promise<void> {
  if (file === undefined || file === '-') {
    for (const part of parts) io.stdout.write(part);
    return;
  }
  try {
    await writeFile(file, parts);
  } catch (error) {
    // Named by its flag, not its path: messages quote no argument.
    throw new CliError(
      `-o: the file could not be written${errnoNote(error)}`,
      ExitCode.WRITE_FAILED,
    );
  }
}
