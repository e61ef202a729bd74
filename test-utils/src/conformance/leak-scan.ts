/**
 * Everything the library emits during a test (typed errors, events, logger output), kept as
 * it would be logged, and searched for the client secret, its Basic value and every token
 * the authorization server issued.
 */
import type { Logger, TokenEvent, TokenProviderOptions } from '@m2m-auth/core';
import { asLogged } from '../logged.ts';
import type { ResourceServer } from '../resource-server.ts';

export interface LeakScan {
  /** Provider options that report into the scan: `onEvent`, `logger` and a token-capturing `fetch`. */
  providerOptions: Partial<TokenProviderOptions>;
  /** Records a value the caller saw (an error) as a logger would print it. */
  record(value: unknown): void;
  /** The secret, the Basic value and every token issued or sent that occur in the output. */
  leaks(api: ResourceServer): string[];
  /** How many tokens the scan knows of (so a test can show it searched for some). */
  tokens(api: ResourceServer): Set<string>;
}

export function createLeakScan(clientId: string, clientSecret: string): LeakScan {
  const output: string[] = [];
  const issued = new Set<string>();
  const log =
    (level: string) =>
    (...args: unknown[]) =>
      output.push(`${level} ${args.map((a) => asLogged(a)).join(' ')}`);
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  /** Token requests as usual; a small JSON answer's `access_token` is noted on a copy. */
  const capturing: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if (response.headers.get('content-type')?.includes('json') && length < 65_536) {
      const copy = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { access_token?: unknown } | undefined;
      if (typeof copy?.access_token === 'string' && copy.access_token.length > 16) {
        issued.add(copy.access_token);
      }
    }
    return response;
  };
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  const tokens = (api: ResourceServer) => {
    const all = new Set(issued);
    for (const { authorization } of api.requests) {
      const bearer = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
      if (bearer) all.add(bearer);
    }
    return all;
  };
  return {
    providerOptions: {
      onEvent: (event: TokenEvent) => output.push(`event ${asLogged(event)}`),
      logger,
      fetch: capturing,
    },
    record: (value) => output.push(`caller ${asLogged(value)}`),
    tokens,
    leaks(api) {
      const text = output.join('\n');
      return [clientSecret, basic, ...tokens(api)].filter((needle) => text.includes(needle));
    },
  };
}
