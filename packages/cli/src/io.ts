/** What a command reads and writes, passed in so tests can run commands in-process too. */
export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

export type Command = (args: string[], io: Io) => Promise<number>;
