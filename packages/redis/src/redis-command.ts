/**
 * One small adapter over the Redis clients people use: ioredis and iovalkey (`call`, on a
 * single server or a `Cluster`) and node-redis (`sendCommand`: `(args)` on a client or a
 * pool, `(firstKey, isReadonly, args)` on a `createCluster()`), in their current and
 * previous majors. Every store command goes through it as an array of strings (node-redis
 * refuses numbers), bounded by a timeout of our own: no client bounds a command sent to a
 * server that stopped answering. A client it cannot drive is a `ConfigError` at once, not a
 * store that silently falls back on every command.
 *
 * While a client is reconnecting, commands fail at once instead of being sent: the clients
 * would queue them and run them when the server returns, long after we gave up on them, and
 * a token written that late may have been revoked in the meantime.
 */
import { ConfigError, StoreError } from '@m2m-auth/core';

/** ioredis 5 and 6, iovalkey, and their `Cluster`: `client.call(command, ...args)`. */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  readonly status?: string;
  on?(event: 'ready', listener: () => void): unknown;
}

/** node-redis (`redis`) 5 and 6: a client or pool's `sendCommand([command, ...args])`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isOpen?: boolean;
  readonly isReady?: boolean;
}

/** node-redis 5 and 6 `createCluster()`: `sendCommand(firstKey, isReadonly, args)`. */
export interface NodeRedisClusterLike {
  sendCommand(firstKey: string, isReadonly: boolean, args: string[]): Promise<unknown>;
  readonly masters: unknown;
  readonly isOpen?: boolean;
  readonly isReady?: boolean;
}

export type RedisClientLike = IoRedisLike | NodeRedisLike | NodeRedisClusterLike;

export type RedisCommand = (args: string[]) => Promise<unknown>;

/** Argument values long enough to be a token or a sealed entry never reach a message. */
function scrub(message: string, args: readonly string[]): string {
  let text = message;
  for (const arg of args) if (arg.length >= 16) text = text.split(arg).join('[redacted]');
  return text;
}

/** The key a command is routed by: `EVAL <script> <n> <key> ...`, else `<COMMAND> <key> ...`. */
export function firstKey(args: readonly string[]): string {
  return (args[0] === 'EVAL' ? args[3] : args[1]) ?? '';
}

interface Driver {
  send: RedisCommand;
  reconnecting(): boolean;
}

function ioredisDriver(io: IoRedisLike): Driver {
  // ioredis goes `reconnecting` -> `connecting` -> `reconnecting` while the server is away,
  // so `connecting` only sends before the client was first ready (that is how it connects,
  // as does `wait` under lazyConnect). A Cluster reports the same statuses.
  let wasReady = io.status === 'ready';
  io.on?.('ready', () => {
    wasReady = true;
  });
  return {
    send: ([command, ...args]) => io.call(command as string, ...args),
    reconnecting() {
      const status = io.status;
      if (status === 'ready') wasReady = true;
      if (status === 'reconnecting' || status === 'close' || status === 'end') return true;
      return wasReady && (status === 'connecting' || status === 'connect');
    },
  };
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function';
}

function nodeRedisDriver(client: NodeRedisLike | NodeRedisClusterLike): Driver {
  const shape = client as unknown as Record<string, unknown>;
  // node-redis' Sentinel has `sendCommand(isReadonly, args)`: a third shape, untested here.
  if (isFunction(shape['getMasterNode']) || isFunction(shape['getSentinelNode'])) {
    throw new ConfigError(
      'redisStore cannot drive a node-redis createSentinel() client: use ioredis with `sentinels`, or a client of the current master',
    );
  }
  const reconnecting = () => client.isOpen === true && client.isReady === false;
  if ('masters' in client || isFunction(shape['nodeClient'])) {
    const cluster = client as NodeRedisClusterLike;
    // Every command to the slot's master: a replica may not have the token or the lock yet.
    return { send: (args) => cluster.sendCommand(firstKey(args), false, args), reconnecting };
  }
  const node = client as NodeRedisLike;
  return { send: (args) => node.sendCommand(args), reconnecting };
}

function driverFor(client: RedisClientLike): Driver {
  // ioredis also has a `sendCommand`, with another signature: test for `call` first.
  if (isFunction((client as IoRedisLike | undefined)?.call)) {
    return ioredisDriver(client as IoRedisLike);
  }
  if (isFunction((client as NodeRedisLike | undefined)?.sendCommand)) {
    return nodeRedisDriver(client as NodeRedisLike | NodeRedisClusterLike);
  }
  throw new ConfigError(
    'redisStore needs an ioredis or node-redis client (a single server or a cluster)',
  );
}

export function redisCommand(client: RedisClientLike, timeoutMs: number): RedisCommand {
  const { send, reconnecting } = driverFor(client);
  return (args) =>
    new Promise((resolve, reject) => {
      const name = args[0] ?? '?';
      if (reconnecting()) {
        reject(new StoreError(`Redis ${name} not sent: the client is reconnecting`));
        return;
      }
      const timer = setTimeout(
        () => reject(new StoreError(`Redis ${name} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      new Promise((sent) => sent(send(args))).then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (error: unknown) => {
          clearTimeout(timer);
          const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          reject(new StoreError(`Redis ${name} failed: ${scrub(text, args)}`));
        },
      );
    });
}
