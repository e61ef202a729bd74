export type { GrpcCallCredentialsOptions } from './call-credentials.ts';
export { grpcCallCredentials } from './call-credentials.ts';
export type { GrpcAuthOptions } from './grpc-auth.ts';
export { grpcAuth } from './grpc-auth.ts';
export type { HostOptions } from './hosts.ts';
