/**
 * What both entry points share: core's request policy, asked once per attempt of a call,
 * at the one moment grpc-js shows the call's host (call credentials' `service_url`), with the
 * URL a gRPC call is on the wire: `POST https://<host>/<package.Service>/<Method>` (the DPoP
 * proof's `htm` and `htu` for a DPoP-bound token).
 */
import type { TokenProvider } from '@m2m-auth/core';
import {
  createRequestPolicy,
  type Exchange,
  type MaybePromise,
  type RequestPolicy,
  type RequestPolicyOptions,
} from '@m2m-auth/core/adapter';
import { type HostOptions, hostOfServiceUrl, hostOrigins, originOf } from './hosts.ts';
import { type MetadataFor, tokenMetadata } from './token-metadata.ts';

export interface CallAuthOptions
  extends HostOptions,
    Pick<RequestPolicyOptions, 'maskTokensInErrors'> {}

/** One attempt of a call, as grpc-js shows it to call credentials. */
export interface CallAttempt {
  /** `service_url` from grpc-js: `https://<host>/<service>`. */
  serviceUrl: string;
  /** The method's path, `/<package.Service>/<Method>`, when known. */
  path: string | undefined;
  /** The `authorization` the caller's metadata carries: theirs is kept, ours renewed. */
  authorization?: unknown;
  /** Whether the call could be sent again whole (a unary call whose message we keep). */
  resendable: boolean;
}

export interface CallAuthorizer {
  readonly policy: RequestPolicy;
  /** An attempt's headers as metadata, the last Bearer header's kept for this authorizer. */
  readonly metadata: MetadataFor;
  /**
   * The attempt's exchange, or `undefined` when the call is not ours to authorize: at once
   * with a cached token, else a promise (a refused host is a rejected one, never a throw).
   */
  begin(attempt: CallAttempt, previous?: Exchange): MaybePromise<Exchange | undefined>;
}

export function callAuthorizer(
  provider: TokenProvider,
  options: CallAuthOptions,
  adapter: string,
): CallAuthorizer {
  const origins = hostOrigins(options.hosts);
  const policy = createRequestPolicy(
    provider,
    {
      ...(origins === undefined ? {} : { origins }),
      ...(options.maskTokensInErrors === undefined
        ? {}
        : { maskTokensInErrors: options.maskTokensInErrors }),
    },
    {
      adapter,
      firstOrigin: { advice: `list both in hosts, or give each client its own ${adapter}` },
    },
  );
  // The last call's URL, by its service URL and path: calls on one channel share both, and
  // the same string lets the policy's verdict cache answer without comparing text.
  let last = { serviceUrl: '', path: undefined as string | undefined, url: '' };
  const urlOf = (serviceUrl: string, path: string | undefined) => {
    if (serviceUrl !== last.serviceUrl || path !== last.path) {
      const host = hostOfServiceUrl(serviceUrl);
      const url = `${originOf(host)}${path ?? serviceUrl.slice(serviceUrl.lastIndexOf('/'))}`;
      last = { serviceUrl, path, url };
    }
    return last.url;
  };
  return {
    policy,
    metadata: tokenMetadata(),
    begin(attempt, previous) {
      return policy.begin(
        {
          url: urlOf(attempt.serviceUrl, attempt.path),
          method: 'POST',
          authorization: attempt.authorization,
          resendable: attempt.resendable,
        },
        previous,
      );
    },
  };
}
