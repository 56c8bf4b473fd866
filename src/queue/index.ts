// `unplugin-capsule/queue`: run tasks on `capsule worker` processes through BullMQ + Redis.
// The only entry that loads bullmq (an optional peer dependency, with ioredis).
export { createQueueRuntime, type QueueRuntime, type QueueRuntimeOptions } from './queue-runtime.ts'
export { createQueueWorker, type QueueWorker, type QueueWorkerOptions } from './queue-worker.ts'
export { DEFAULT_QUEUE, type CapsuleJobData } from './jobs.ts'
export type { QueueConnection } from './connection.ts'
export { CapsuleError, type CapsuleErrorCode } from '../runtime/errors.ts'
export type { CapsuleEvent, CallInfo, RunOptions } from '../runtime/index.ts'
export type { Envelope } from '../types.ts'
