/**
 * A grpc-js interceptor chain's bottom call that answers a unary call at once (table 7): it
 * asks the call's credentials for metadata as grpc-js does (a call without any gets grpc-js'
 * empty credentials, a resolved promise), checks that an `authorization` arrived, and reports
 * metadata, one message and OK.
 */
import {
  InterceptingCall,
  type InterceptingListener,
  type Interceptor,
  Metadata,
} from '@grpc/grpc-js';
import { benchService } from './grpc-service.ts';

type NextCall = Parameters<Interceptor>[1];
type CallOptions = Parameters<Interceptor>[0];

const SERVICE_URL_PATH = '/bench.Things';

const instantNext = (serviceUrl: string) =>
  ((options: CallOptions) => ({
    start(metadata: Metadata, listener: InterceptingListener) {
      const generated = options.credentials
        ? options.credentials.generateMetadata({
            method_name: options.method_definition.path,
            service_url: serviceUrl,
          })
        : Promise.resolve(new Metadata());
      generated.then((extra) => {
        const sent = metadata.clone();
        sent.merge(extra);
        if (sent.get('authorization').length !== 1) throw new Error('one authorization expected');
        listener.onReceiveMetadata(new Metadata());
        listener.onReceiveMessage({ ok: true });
        listener.onReceiveStatus({ code: 0, details: 'OK', metadata: new Metadata() });
      });
    },
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    cancelWithStatus() {},
    getPeer: () => '',
  })) as unknown as NextCall;

const pass: Interceptor = (options, nextCall) => new InterceptingCall(nextCall(options));
const options = { method_definition: benchService.get } as unknown as CallOptions;

/** One unary call through `interceptor` (a pass-through one when none), settled on OK. */
export function instantUnary(
  origin: string,
  interceptor: Interceptor | undefined,
  metadata: () => Metadata,
): () => Promise<void> {
  const next = instantNext(`${origin}${SERVICE_URL_PATH}`);
  const chain = interceptor ?? pass;
  return () =>
    new Promise<void>((resolve, reject) => {
      const call = chain(options, next);
      call.start(metadata(), {
        onReceiveStatus: (status) =>
          status.code === 0 ? resolve() : reject(new Error(status.details)),
      });
      call.sendMessage({ id: 1 });
      call.halfClose();
    });
}
