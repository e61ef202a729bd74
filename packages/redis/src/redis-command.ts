/**
 * One small adapter over the two Redis clients people use: ioredis (`call`) and node-redis
 * (`sendCommand`), both in their current and previous majors. Every store command goes
 * through it as an array of strings (node-redis refuses numbers), bounded by a timeout of
 * our own: neither client bounds a command sent to a server that stopped answering.
 *
 * While a client is reconnecting, commands fail at once instead of being sent: both clients
 * would queue them and run them when the server returns, long after we gave up on them, and
 * a token written that late may have been revoked in the meantime.
 */
import { ConfigError, StoreError } from '@m2m-auth/core';

/** ioredis 5 and 6: `client.call(command, ...args)`; `status` while (re)connecting. */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  readonly status?: string;
  on?(event: 'ready', listener: () => void): unknown;
}

/** node-redis (`redis`) 5 and 6: `client.sendCommand([command, ...args])`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isOpen?: boolean;
  readonly isReady?: boolean;
}

export type RedisClientLike = IoRedisLike | NodeRedisLike;

export type RedisCommand = (args: string[]) => Promise<unknown>;

/** Argument values long enough to be a token or a sealed entry never reach a message. */
function scrub(message: string, args: readonly string[]): string {
  let text = message;
  for (const arg of args) if (arg.length >= 16) text = text.split(arg).join('[redacted]');
  return text;
}

export function redisCommand(client: RedisClientLike, timeoutMs: number): RedisCommand {
  let send: RedisCommand;
  let reconnecting: () => boolean;
  // ioredis also has a `sendCommand`, with another signature: test for `call` first.
  if (typeof (client as IoRedisLike | undefined)?.call === 'function') {
    const io = client as IoRedisLike;
    send = ([command, ...args]) => io.call(command as string, ...args);
    // ioredis goes `reconnecting` -> `connecting` -> `reconnecting` while the server is away,
    // so `connecting` only sends before the client was first ready (that is how it connects,
    // as does `wait` under lazyConnect).
    let wasReady = io.status === 'ready';
    io.on?.('ready', () => {
      wasReady = true;
    });
    reconnecting = () => {
      const status = io.status;
      if (status === 'ready') wasReady = true;
      if (status === 'reconnecting' || status === 'close' || status === 'end') return true;
      return wasReady && (status === 'connecting' || status === 'connect');
    };
  } else if (typeof (client as NodeRedisLike | undefined)?.sendCommand === 'function') {
    const node = client as NodeRedisLike;
    send = (args) => node.sendCommand(args);
    reconnecting = () => node.isOpen === true && node.isReady === false;
  } else {
    throw new ConfigError('redisStore needs an ioredis or node-redis client');
  }

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
