/** Reads the first line of a stream: how `--client-secret-stdin` takes the secret. */
export async function readFirstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    // Stop at the first newline: the rest of stdin is not ours to wait for.
    if (text.includes('\n')) break;
  }
  text += decoder.decode();
  const newline = text.indexOf('\n');
  const line = newline === -1 ? text : text.slice(0, newline);
  // Only the line ending goes: spaces may be part of a secret. CRLF from Windows files too.
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
