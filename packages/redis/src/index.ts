export type { EncryptionKeyInput } from './entry-cipher.ts';
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './redis-command.ts';
export type { RedisStore, RedisStoreOptions } from './redis-store.ts';
export { redisStore } from './redis-store.ts';
export type { RedisStoreEvent } from './store-events.ts';
// Not exported: the entry codec, the Lua scripts and the command adapter. They are how the
// store keeps its promises, not promises of their own.
