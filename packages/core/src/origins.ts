/** Origin helpers shared by the token URL check and the request policy. */

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
