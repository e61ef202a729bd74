/**
 * ` (ENOENT)` for a failed file or stream operation, else nothing. The code is safe to quote;
 * the error's own message is not: it names the path, an argument value.
 */
export function errnoNote(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]{2,20}$/.test(code) ? ` (${code})` : '';
}
