/**
 * follow-redirects, which axios uses in Node, keeps `Authorization` on a redirect to a
 * subdomain and from `http:` to `https:` on the same host, and forwards a `DPoP` proof
 * everywhere (the oldest axios we support keeps more still). Our rule is the origin: the
 * request's `beforeRedirect` hands each hop to the exchange, which takes our headers off on
 * any change of origin, then the caller's own `beforeRedirect` runs.
 */
import { type Exchange, recordHeaders } from '@m2m-auth/core/adapter';

type BeforeRedirect = (options: Record<string, unknown>, ...rest: unknown[]) => void;
const THEIRS = Symbol('m2m-auth: the caller\u2019s beforeRedirect');
type Guard = BeforeRedirect & { [THEIRS]?: BeforeRedirect | undefined };

/** The URL a follow-redirects hop goes to, from the options it is about to use. */
function hopUrl(options: Record<string, unknown>): string {
  if (typeof options['href'] === 'string') return options['href'];
  const { protocol, hostname, host, port, path } = options as Record<string, string | undefined>;
  return `${protocol}//${hostname ?? host}${port ? `:${port}` : ''}${path ?? '/'}`;
}

export function guardRedirects(
  config: { beforeRedirect?: unknown },
  from: () => string,
  exchange: Exchange,
): void {
  const current = config.beforeRedirect as Guard | undefined;
  // A re-sent config already carries our guard: wrap the caller's, not ours.
  const theirs = current && THEIRS in current ? current[THEIRS] : current;
  const guard: Guard = (options, ...rest) => {
    const headers = options['headers'];
    if (typeof headers === 'object' && headers !== null) {
      exchange.redirect(from(), hopUrl(options), recordHeaders(headers as Record<string, unknown>));
    }
    theirs?.(options, ...rest);
  };
  guard[THEIRS] = theirs;
  config.beforeRedirect = guard;
}
