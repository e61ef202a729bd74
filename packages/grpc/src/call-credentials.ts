/**
 * `grpcCallCredentials(provider, options)`: call credentials (grpc-js'
 * `createFromMetadataGenerator`) that put the token on every call of a channel, for clients
 * that take channel credentials and no interceptors. grpc-js composes call credentials only
 * into TLS channel credentials (`combineChannelCredentials` refuses insecure ones), and a
 * metadata generator never sees the call's status: no retry on UNAUTHENTICATED here
 * (`grpcAuth` does that).
 */

import { type CallCredentials, credentials } from '@grpc/grpc-js';
import type { TokenProvider } from '@m2m-auth/core';
import { type CallAuthOptions, callAuthorizer } from './call-authorizer.ts';
import { answerGenerator } from './token-metadata.ts';

export type GrpcCallCredentialsOptions = CallAuthOptions;

export function grpcCallCredentials(
  provider: TokenProvider,
  options: GrpcCallCredentialsOptions = {},
): CallCredentials {
  const authorizer = callAuthorizer(provider, options, 'grpcCallCredentials');
  return credentials.createFromMetadataGenerator((params, callback) => {
    answerGenerator(
      authorizer.begin({
        serviceUrl: params.service_url,
        path: params.method_name,
        resendable: false,
      }),
      authorizer.metadata,
      callback,
    );
  });
}
