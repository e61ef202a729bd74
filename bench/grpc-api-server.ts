/**
 * The gRPC API the grpc bench calls (section 13), in its own process so that its CPU time is
 * not charged to the client being measured: one unary method, JSON on the wire, answering
 * every call. Prints its address on stdout, exits when stdin closes.
 */
import { Server, ServerCredentials, type sendUnaryData } from '@grpc/grpc-js';
import { benchService } from './grpc-service.ts';

const server = new Server();
server.addService(benchService, {
  get: (_call: unknown, callback: sendUnaryData<unknown>) => callback(null, { ok: true }),
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`127.0.0.1:${port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
