/**
 * `grpcAuth(provider, options)`: a grpc-js client interceptor. Each call gets call
 * credentials of its own (the one place grpc-js shows a call's host), whose metadata
 * generator begins each attempt with core and hands grpc-js our `authorization`; the
 * caller's `Metadata` never holds our token. The call itself, with its replay of a unary call
 * on UNAUTHENTICATED, is authorized-call.ts.
 */

import { credentials, InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import type { TokenProvider } from '@m2m-auth/core';
import { AuthorizedCall } from './authorized-call.ts';
import { type CallAuthOptions, callAuthorizer } from './call-authorizer.ts';

export type GrpcAuthOptions = CallAuthOptions;

export function grpcAuth(provider: TokenProvider, options: GrpcAuthOptions = {}): Interceptor {
  const authorizer = callAuthorizer(provider, options, 'grpcAuth');
  return (callOptions, nextCall) => {
    // Call credentials of the caller's own on this call: the call is theirs.
    if (callOptions.credentials) return new InterceptingCall(nextCall(callOptions));
    const { path, requestStream, responseStream } = callOptions.method_definition;
    // Set before grpc-js can ask for metadata: it asks once the call has started.
    let call: AuthorizedCall | undefined;
    const attemptOptions = {
      ...callOptions,
      credentials: credentials.createFromMetadataGenerator((params, callback) =>
        (call as AuthorizedCall).generate(params.service_url, callback),
      ),
    };
    call = new AuthorizedCall(
      authorizer,
      nextCall,
      attemptOptions,
      path,
      !requestStream && !responseStream,
    );
    return call;
  };
}
