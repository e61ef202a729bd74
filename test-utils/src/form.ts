/**
 * Strict request parsing for the token endpoint, as RFC 6749 asks: the form must be
 * `application/x-www-form-urlencoded`, no parameter may repeat (§3.2), and HTTP Basic
 * credentials are form-decoded after Base64 (§2.3.1), or taken raw for servers that do not.
 */
import type { IncomingMessage } from 'node:http';

export type FormResult =
  | { ok: true; params: Map<string, string> }
  | { ok: false; description: string };

export function parseTokenForm(req: IncomingMessage, body: Buffer): FormResult {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return { ok: false, description: 'content type must be application/x-www-form-urlencoded' };
  }
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    if (params.has(name)) return { ok: false, description: `parameter ${name} is repeated` };
    params.set(name, value);
  }
  return { ok: true, params };
}

const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));

/** The id and secret from `Authorization: Basic`, or `undefined`; `null` when malformed. */
export function basicCredentials(
  req: IncomingMessage,
  decode: boolean,
): { clientId: string; clientSecret: string } | undefined | null {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) return header.toLowerCase().startsWith('basic') ? null : undefined;
  const pair = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  if (colon < 0) return null;
  try {
    const [id, secret] = [pair.slice(0, colon), pair.slice(colon + 1)];
    return decode
      ? { clientId: formDecode(id), clientSecret: formDecode(secret) }
      : { clientId: id, clientSecret: secret };
  } catch {
    return null;
  }
}
