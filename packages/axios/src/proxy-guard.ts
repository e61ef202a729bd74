/**
 * axios before 1.16.1 sends an `https:` request through a plain-`http:` proxy in clear (its
 * changelog: "HTTPS request data could be transmitted in cleartext to an HTTP proxy"), our
 * token included. On those versions a token for an `https:` origin is refused when such a
 * proxy would carry it: the `proxy` option, or `HTTPS_PROXY` not bypassed by `NO_PROXY`.
 */
import { ConfigError } from '@m2m-auth/core';

const FIXED = [1, 16, 1] as const;

function tunnelsSafely(version: string | undefined): boolean {
  const parts = (version ?? '').split('.').map((part) => Number.parseInt(part, 10));
  for (let i = 0; i < FIXED.length; i++) {
    const have = parts[i] ?? 0;
    const need = FIXED[i] as number;
    if (Number.isNaN(have)) return false;
    if (have !== need) return have > need;
  }
  return true;
}

interface ProxyConfig {
  proxy?: false | { protocol?: string; host: string; port: number } | undefined;
}

const env = (name: string) =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

/** `NO_PROXY` as proxy-from-env reads it: `*`, or host suffixes (`.example.com`, `example.com`). */
function bypassed(host: string): boolean {
  const list = env('NO_PROXY') ?? env('no_proxy') ?? '';
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      const name = entry
        .replace(/:\d+$/, '')
        .replace(/^\*?\./, '')
        .toLowerCase();
      return entry === '*' || host === name || host.endsWith(`.${name}`);
    });
}

/** The proxy axios takes from the environment for `host`, as proxy-from-env would. */
function envProxyFor(host: string): string | undefined {
  const proxy = env('HTTPS_PROXY') ?? env('https_proxy') ?? env('ALL_PROXY') ?? env('all_proxy');
  return proxy && !bypassed(host) ? proxy : undefined;
}

/**
 * The check for this axios version: `undefined` when axios tunnels through proxies itself;
 * else a function that throws a `ConfigError` for a token that would go through one in clear.
 */
export function plainProxyCheck(
  version: string | undefined,
): ((config: ProxyConfig, url: string) => void) | undefined {
  if (tunnelsSafely(version)) return undefined;
  return (config, url) => {
    if (config.proxy === false || !url.startsWith('https:')) return;
    const target = new URL(url);
    const through = config.proxy
      ? `${(config.proxy.protocol ?? 'http').replace(/:$/, '')}:`
      : envProxyFor(target.hostname);
    if (!through?.toLowerCase().startsWith('http:')) return;
    throw new ConfigError(
      `Refusing to send a token to ${target.origin} through a plain-http proxy: axios ${version} sends https requests to it in clear. Upgrade axios to 1.16.1 or later, or set proxy: false and use an https proxy agent`,
    );
  };
}
