/** Origin helpers shared by the token URL checks (options, discovery) and the request policy. */
import { ConfigError } from './errors.ts';

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** True when a token may travel to this URL's origin without TLS. */
export function isSecureEnough(url: URL, allowInsecureHttp: boolean): boolean {
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && (allowInsecureHttp || isLoopback(url)))
  );
}

/** A usable token endpoint or issuer URL, normalized; `name` says which in the error. */
export function checkTokenUrl(
  tokenUrl: string,
  allowInsecureHttp: boolean,
  name = 'tokenUrl',
): string {
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    throw new ConfigError(`${name} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be https: (got ${url.protocol})`);
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopback(url)) {
    throw new ConfigError(
      `${name} ${url.origin} is plain http: and not loopback; use https: or set allowInsecureHttp`,
    );
  }
  if (url.username || url.password) throw new ConfigError(`${name} must not carry credentials`);
  return url.href;
}

/**
 * Whether `href` is on `origin` by its text alone: the origin, then nothing or a path. A
 * shortcut before parsing (the authority ends at the first `/`); `false` only means "parse it".
 */
export function startsOnOrigin(href: string, origin: string): boolean {
  return href.startsWith(origin) && (href.length === origin.length || href[origin.length] === '/');
}
