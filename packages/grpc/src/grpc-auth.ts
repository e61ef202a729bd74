/**
 * `grpcAuth(provider, options)`: a grpc-js client interceptor. Each call gets call
 * credentials of its own (the one place grpc-js shows a call's host), whose metadata
 * generator begins each attempt with core and hands grpc-js our `authorization`; the
 * caller's `Metadata` never holds our token. A unary call's answer is held until its status:
 * on UNAUTHENTICATED core invalidates that token, and when it has a replay ready the call is
 * made once more (`nextCall` again, the saved metadata and message), its answer going to the
 * caller instead of the first. Streaming calls get the token and their status as it comes.
 */

import {
  type CallCredentials,
  credentials,
  InterceptingCall,
  type InterceptingListener,
  type Interceptor,
  Metadata,
  status as Status,
  type StatusObject,
} from '@grpc/grpc-js';
import type { TokenProvider } from '@m2m-auth/core';
import type { Exchange } from '@m2m-auth/core/adapter';
import { type CallAuthOptions, type CallAuthorizer, callAuthorizer } from './call-authorizer.ts';
import { failureStatus, httpStatusOf, maskedStatus, trailerLookup } from './status.ts';
import { answerGenerator } from './token-metadata.ts';

export type GrpcAuthOptions = CallAuthOptions;

/** What one logical call remembers across its attempts. */
interface CallState {
  /** The caller's `authorization`, if their metadata has one. */
  authorization?: unknown;
  /** The latest attempt's exchange. */
  exchange?: Exchange | undefined;
  /** Why no token could be had for the latest attempt. */
  failure?: unknown;
}

function attemptCredentials(
  authorizer: CallAuthorizer,
  path: string,
  resendable: boolean,
  state: CallState,
): CallCredentials {
  return credentials.createFromMetadataGenerator((params, callback) => {
    const attempt = { serviceUrl: params.service_url, path, resendable };
    answerGenerator(
      authorizer.begin(
        state.authorization === undefined
          ? attempt
          : { ...attempt, authorization: state.authorization },
        state.exchange,
      ),
      callback,
      state,
    );
  });
}

export function grpcAuth(provider: TokenProvider, options: GrpcAuthOptions = {}): Interceptor {
  const authorizer = callAuthorizer(provider, options, 'grpcAuth');
  const { policy } = authorizer;

  return (callOptions, nextCall) => {
    // Call credentials of the caller's own on this call: the call is theirs.
    if (callOptions.credentials) return new InterceptingCall(nextCall(callOptions));
    const { path, requestStream, responseStream } = callOptions.method_definition;
    const unary = !requestStream && !responseStream;
    const state: CallState = {};
    const attemptOptions = {
      ...callOptions,
      credentials: attemptCredentials(authorizer, path, unary, state),
    };

    let caller!: InterceptingListener;
    let saved: Metadata | undefined;
    let message: unknown;
    let replay: ReturnType<typeof nextCall> | undefined;
    let refreshing = false;
    let done = false;

    const deliver = (status: StatusObject) => {
      if (done) return;
      done = true;
      caller.onReceiveStatus(maskedStatus(status, policy));
    };
    /** The status an attempt ended with, as the caller gets it; core reads it first. */
    const judged = (status: StatusObject) => {
      if (state.failure !== undefined) return failureStatus(state.failure);
      return status;
    };

    const passing = {
      onReceiveMetadata: (metadata: Metadata) => caller.onReceiveMetadata(metadata),
      onReceiveMessage: (received: unknown) => caller.onReceiveMessage(received),
      onReceiveStatus: (status: StatusObject) => {
        void state.exchange?.answer(httpStatusOf(status.code), trailerLookup(status.metadata));
        deliver(judged(status));
      },
    };

    const sendReplay = () => {
      const again = nextCall(attemptOptions);
      replay = again;
      again.start((saved as Metadata).clone(), passing);
      again.sendMessage(message);
      again.halfClose();
    };

    let heldMetadata: Metadata | undefined;
    let heldMessage: { value: unknown } | undefined;
    const flush = (status: StatusObject) => {
      if (done) return;
      if (heldMetadata) caller.onReceiveMetadata(heldMetadata);
      if (heldMessage) caller.onReceiveMessage(heldMessage.value);
      deliver(status);
    };
    const holding = {
      onReceiveMetadata: (metadata: Metadata) => {
        heldMetadata = metadata;
      },
      onReceiveMessage: (received: unknown) => {
        heldMessage = { value: received };
      },
      onReceiveStatus: (status: StatusObject) => {
        if (state.failure !== undefined) return flush(failureStatus(state.failure));
        const answer = state.exchange?.answer(
          httpStatusOf(status.code),
          trailerLookup(status.metadata),
        );
        if (!answer) return flush(status);
        refreshing = true;
        answer.then(
          (ready) => {
            refreshing = false;
            if (done) return;
            if (ready) sendReplay();
            else flush(status);
          },
          (error: unknown) => {
            refreshing = false;
            deliver(failureStatus(error));
          },
        );
      },
    };

    return new InterceptingCall(nextCall(attemptOptions), {
      start(metadata, listener, next) {
        caller = listener;
        const authorization = metadata.get('authorization')[0];
        if (authorization !== undefined) {
          state.authorization = authorization;
          // Ours, from an earlier call's metadata: it comes off, the current token goes on.
          if (policy.owns(authorization)) metadata.remove('authorization');
        }
        // Kept as it is: grpc-js clones what it is given (ResolvingCall.start), and the
        // replay sends a clone of it.
        if (unary) saved = metadata;
        next(metadata, unary ? holding : passing);
      },
      sendMessage(outgoing, next) {
        if (unary) message = outgoing;
        next(outgoing);
      },
      cancel(next) {
        if (refreshing) {
          deliver({
            code: Status.CANCELLED,
            details: 'Cancelled on client',
            metadata: new Metadata(),
          });
        }
        replay?.cancelWithStatus(Status.CANCELLED, 'Cancelled on client');
        next();
      },
    });
  };
}
