// The `connection` option of the queue entry: a redis:// URL or ioredis options, turned into
// what BullMQ takes (it makes its own connections: blocking ones get maxRetriesPerRequest null),
// plus a printable name without the password for error messages. Reconnecting stops once the
// owner closes: a connection that never came up would otherwise keep close() (and the process)
// waiting forever.
import type { ConnectionOptions, RedisOptions } from 'bullmq'
import { CapsuleError } from '../runtime/errors.ts'

export type QueueConnection = string | RedisOptions

/** Reconnect delays: quick at first, then every 2 s; none after the owner closed. */
function retryWhileOpen(isClosed: () => boolean, theirs?: RedisOptions['retryStrategy']): RedisOptions['retryStrategy'] {
  return (times) => (isClosed() ? null : theirs ? theirs(times) : Math.min(2_000, 50 * 2 ** times))
}

export function bullConnection(connection: QueueConnection | undefined, isClosed: () => boolean): ConnectionOptions {
  const options = checkedConnection(connection)
  return { ...options, retryStrategy: retryWhileOpen(isClosed, options.retryStrategy) }
}

function checkedConnection(connection: QueueConnection | undefined): RedisOptions {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection)
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`protocol ${url.protocol}`)
    } catch {
      throw new CapsuleError('INVALID_RUN_OPTIONS', `connection must be a redis:// URL (e.g. redis://127.0.0.1:6379) or ioredis options, got "${connection}"`)
    }
    return { url: connection }
  }
  if (connection && typeof connection === 'object') return { ...connection }
  throw new CapsuleError('INVALID_RUN_OPTIONS', 'createQueueRuntime needs `connection`: a redis:// URL or ioredis options ({ host, port, … })')
}

/** Where Redis is, for messages: never the password. */
export function describeConnection(connection: QueueConnection): string {
  if (typeof connection === 'string') {
    const url = new URL(connection)
    url.password = ''
    url.username = ''
    return url.toString()
  }
  return connection.url ? describeConnection(connection.url) : `redis://${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`
}
