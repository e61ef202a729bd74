/**
 * Which calls get the token. grpc-js shows a call's host only to call credentials, as
 * `service_url` (`https://<host>/<service>`, without the port, whatever the channel's
 * security), so a host is the unit: `hosts` names them, `'*'` serves any, and with neither
 * core's origin policy serves the first host it meets (the channel it was given to) and
 * refuses any other. Core judges the `https://<host>` origins this makes.
 */
import { ConfigError } from '@m2m-auth/core';
import type { RequestPolicyOptions } from '@m2m-auth/core/adapter';

export interface HostOptions {
  /**
   * Hosts whose calls get the token: the host of the channel target (`api.vendor.example`
   * for `dns:///api.vendor.example:443`), or of a call's `host` option. No port: grpc-js
   * tells call credentials the host only. `'*'`: every host. With neither, the host of
   * the first call is the one served, and a call to any other fails with a `ConfigError`.
   * @default the first call's host
   * @example hosts: ['api.vendor.example']
   */
  hosts?: readonly string[] | '*';
}

/** The origin core judges for a host (`[::1]` for `::1`, as a URL writes it). */
export const originOf = (host: string) => `https://${host.includes(':') ? `[${host}]` : host}`;

function hostOrigin(entry: string): string {
  let url: URL | undefined;
  try {
    url = new URL(`https://${entry}`);
  } catch {
    // not a host
  }
  if (!url || url.host !== entry.toLowerCase() || url.port || url.href !== `${url.origin}/`) {
    throw new ConfigError(
      `hosts: ${JSON.stringify(entry)} is not a host name; give the host alone (no scheme, port or path), e.g. 'api.vendor.example'`,
    );
  }
  return url.origin;
}

/** The policy's origins for `hosts`; none when the first call's host is to decide. */
export function hostOrigins(hosts: HostOptions['hosts']): RequestPolicyOptions['origins'] {
  if (hosts === undefined || hosts === '*') return hosts;
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new ConfigError("hosts must be a non-empty list of host names, or '*'");
  }
  return hosts.map(hostOrigin);
}

/** The host in a call credentials' `service_url` (`https://<host>/<service>`). */
export function hostOfServiceUrl(serviceUrl: string): string {
  const rest = serviceUrl.startsWith('https://') ? serviceUrl.slice(8) : serviceUrl;
  const slash = rest.lastIndexOf('/');
  return slash === -1 ? rest : rest.slice(0, slash);
}
