/**
 * What `-v` shows, in curl -v's shape: each request sent (`> `) and each answer's status and
 * headers (`< `), the token requests too, on stderr. Credentials never show: `Authorization`,
 * `Proxy-Authorization` and `DPoP` keep only their scheme (`Bearer [redacted]`), and a
 * credential we sent that a server echoes in a response header is masked there too. Bodies
 * are not traced: a token request's carries the secret, its answer the token.
 *
 * It sees what m2m-auth hands to fetch: the headers we and the user set, not those fetch adds
 * itself (Host, User-Agent, Accept-Encoding, Content-Length), and the answer after any
 * redirects were followed.
 */
import { escapeControls } from '@m2m-auth/core/adapter';
import { statusLine } from './http-request.ts';

const MASK = '[redacted]';
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'dpop']);
/** Shorter values are not worth masking elsewhere and would mask ordinary words. */
const MIN_MASKED = 8;

export type TracedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface RequestTrace {
  /** The global fetch, tracing each request and its answer; `note` heads each request (`* note`). */
  fetch(note?: string): TracedFetch;
}

/** `Bearer [redacted]`: the scheme stays, so a trace still tells Bearer from DPoP or Basic. */
function maskedValue(name: string, value: string): string {
  const space = value.indexOf(' ');
  return name === 'dpop' || space === -1 ? MASK : `${value.slice(0, space)} ${MASK}`;
}

function requestParts(input: string | URL | Request, init: RequestInit | undefined) {
  if (typeof input === 'object' && 'clone' in input)
    return { method: input.method, url: input.url, headers: new Headers(input.headers) };
  return {
    method: (init?.method ?? 'GET').toUpperCase(),
    url: String(input),
    headers: new Headers(init?.headers),
  };
}

const lines = (prefix: string, texts: readonly string[]) =>
  `${texts.map((text) => `${prefix} ${text}`.trimEnd()).join('\n')}\n${prefix}\n`;

/** A trace that writes to `write` (stderr); `secrets` (the client secret) are masked wherever they show. */
export function requestTrace(
  write: (text: string) => void,
  secrets: readonly string[] = [],
): RequestTrace {
  const sent = new Set(secrets.filter((secret) => secret.length > 0));
  const mask = (text: string) => {
    let out = text;
    for (const credential of sent) out = out.split(credential).join(MASK);
    return out;
  };

  const traceRequest = (note: string | undefined, request: ReturnType<typeof requestParts>) => {
    const texts = [`${request.method} ${request.url}`];
    for (const [name, value] of request.headers) {
      if (!CREDENTIAL_HEADERS.has(name)) {
        texts.push(`${name}: ${mask(value)}`);
        continue;
      }
      const credential = value.slice(value.indexOf(' ') + 1);
      if (credential.length >= MIN_MASKED) sent.add(credential);
      texts.push(`${name}: ${maskedValue(name, value)}`);
    }
    write(`${note ? `* ${note}\n` : ''}${lines('>', texts)}`);
  };
  const traceAnswer = (response: Response) => {
    const texts = [statusLine(response)];
    for (const [name, value] of response.headers)
      texts.push(`${name}: ${escapeControls(mask(value))}`);
    write(
      `${response.redirected ? `* redirects followed to ${mask(response.url)}\n` : ''}${lines('<', texts)}`,
    );
  };

  return {
    fetch: (note) => async (input, init) => {
      traceRequest(note, requestParts(input, init));
      const response = await globalThis.fetch(input, init);
      traceAnswer(response);
      return response;
    },
  };
}
