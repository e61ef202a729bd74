/**
 * Text a server chose (an `error_description`, a content type, a `token_type`), made safe to
 * put in a message: C0 and C1 control characters and DEL are escaped as `\xNN`, so a CR/LF
 * cannot forge a log line and an ESC cannot drive the terminal that prints it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** An `error_uri` worth showing: an `https:` or `http:` URL; anything else (`javascript:`) is dropped. */
export function safeErrorUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  try {
    const { protocol } = new URL(uri);
    return protocol === 'https:' || protocol === 'http:' ? escapeControls(uri) : undefined;
  } catch {
    return undefined;
  }
}
