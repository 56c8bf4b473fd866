// createQueueRuntime(): the same run() → envelope as the local runtime, but each call becomes a
// BullMQ job that a `capsule worker` (on any machine sharing the Redis) runs from prebuilt
// artifacts. The caller gets exactly one answer per call: the job's single completion, read
// through BullMQ's queue events, which also drive the caller's lifecycle events
// (call:queued on submit, call:start when a worker takes the job, call:end with the envelope).
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { Queue, QueueEvents, type Job } from 'bullmq'
import { parseDuration } from '../options/index.ts'
import { failureEnvelope } from '../runtime/envelope.ts'
import { CapsuleError } from '../runtime/errors.ts'
import type { CallIdentity, CallInfo, CapsuleEvent, CapsuleEventListener, CapsuleEventType } from '../runtime/events.ts'
import { createLifecycle } from '../runtime/lifecycle.ts'
import type { RunOptions } from '../runtime/run-options.ts'
import type { Envelope } from '../types.ts'
import { bullConnection, describeConnection, type QueueConnection } from './connection.ts'
import { DEFAULT_QUEUE, KEEP_COMPLETED, KEEP_FAILED, type CapsuleJobData } from './jobs.ts'
import { ManifestTargets } from './manifest-targets.ts'

export interface QueueRuntimeOptions {
  /** Where Redis is: a redis:// URL or ioredis options. */
  connection: QueueConnection
  /** The BullMQ queue (default 'capsule'); workers must serve the same one. */
  queue?: string
  /** Every lifecycle event of every call submitted through this runtime. */
  onEvent?: (event: CapsuleEvent) => void
  /** How long run() waits for Redis before it rejects with a CapsuleError (default '5s'). */
  connectTimeout?: string | number
  /** Where relative manifest paths resolve (default process.cwd()). */
  cwd?: string
}

export interface QueueRuntime {
  run(options: RunOptions): Promise<Envelope>
  close(): Promise<void>
  on<T extends CapsuleEventType>(type: T | '*', listener: CapsuleEventListener<T>): () => void
  calls(): CallInfo[]
}

interface Pending {
  who?: CallIdentity
  perRun?: (event: CapsuleEvent) => void
  /** A worker took the job before the submit returned: call:start follows call:queued. */
  takenEarly: boolean
  /** call:start was emitted (a call that ends without one gets it just before call:end). */
  started?: boolean
}

function jsonArgs(args: unknown[]): boolean {
  try {
    JSON.stringify(args, (_key, value: unknown) => {
      if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' || value === undefined) throw new TypeError('not JSON')
      if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('not JSON')
      return value
    })
    return true
  } catch {
    return false
  }
}

export function createQueueRuntime(options: QueueRuntimeOptions): QueueRuntime {
  let closed = false
  const connection = bullConnection(options.connection, () => closed)
  const where = describeConnection(options.connection)
  const name = options.queue ?? DEFAULT_QUEUE
  let connectTimeoutMs: number
  try {
    connectTimeoutMs = parseDuration(options.connectTimeout ?? '5s', 'connectTimeout')
  } catch (error) {
    throw new CapsuleError('INVALID_RUN_OPTIONS', (error as Error).message)
  }
  const queue = new Queue<CapsuleJobData, Envelope>(name, { connection })
  const queueEvents = new QueueEvents(name, { connection })
  // Each waiting call listens for the queue closing: many calls in flight are normal.
  queue.setMaxListeners(0)
  queueEvents.setMaxListeners(0)
  let lastError: string | undefined
  const remember = (error: Error) => {
    lastError = error.message
  }
  queue.on('error', remember)
  queueEvents.on('error', remember)

  const { events, ready } = createLifecycle(options.onEvent)
  const targets = new ManifestTargets()
  const pending = new Map<string, Pending>()

  queueEvents.on('active', ({ jobId }) => {
    const call = pending.get(jobId)
    if (!call) return
    if (!call.who) call.takenEarly = true
    else if (!call.started) {
      call.started = true
      events.emit(call.who, { type: 'call:start' }, call.perRun)
    }
  })

  function unavailable(reason: string): CapsuleError {
    return new CapsuleError('QUEUE_UNAVAILABLE', `cannot submit to the capsule queue "${name}" at ${where}: ${reason}`)
  }

  function within<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(`${what} within ${connectTimeoutMs} ms${lastError ? ` (${lastError})` : ''}`)), connectTimeoutMs)
    })
    return Promise.race([promise, late]).finally(() => clearTimeout(timer))
  }

  /**
   * Resolves once the submit connection is up and the queue events are being read (so no
   * event of the job about to be added is missed); a CapsuleError when Redis stays unreachable.
   */
  async function connected(): Promise<void> {
    await within(queueEvents.waitUntilReady(), 'Redis did not answer')
    const client = await within(queue.getBackend().client, 'Redis did not answer')
    const status = (client as { status?: string }).status
    if (status === undefined || status === 'ready') return
    await within(new Promise<void>((done) => client.once('ready', () => done())), 'Redis did not answer')
  }

  async function submit(data: CapsuleJobData, jobId: string): Promise<Job<CapsuleJobData, Envelope>> {
    await connected()
    try {
      return await queue.add(data.task, data, { jobId, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED })
    } catch (error) {
      throw unavailable((error as Error).message)
    }
  }

  async function answer(job: Job<CapsuleJobData, Envelope>, taskName: string, signal: AbortSignal | undefined): Promise<Envelope> {
    const startedAt = performance.now()
    const finished = job.waitUntilFinished(queueEvents).then(
      (envelope: Envelope) => envelope,
      (error: unknown) => failureEnvelope(taskName, startedAt, {
        error_type: 'internal_error',
        message: closed ? 'the queue runtime was closed before the call was answered' : `the job failed in the queue: ${(error as Error).message}`,
      }),
    )
    if (!signal) return finished
    const aborted = new Promise<Envelope>((done) => {
      const stop = () => {
        // Still waiting: take it off the queue. Already taken: the worker finishes it unseen.
        job.remove().catch(() => {})
        done(failureEnvelope(taskName, startedAt, { error_type: 'timeout', message: 'the call was aborted' }))
      }
      if (signal.aborted) stop()
      else signal.addEventListener('abort', stop, { once: true })
    })
    return Promise.race([finished, aborted])
  }

  async function run(runOptions: RunOptions): Promise<Envelope> {
    if (closed) throw new CapsuleError('INVALID_RUN_OPTIONS', 'this queue runtime is closed')
    if (runOptions.file) {
      throw new CapsuleError('INVALID_RUN_OPTIONS', 'the queue runs prebuilt artifacts only: pass `manifest` (from `capsule build`), not `file`')
    }
    if (!runOptions.manifest) throw new CapsuleError('INVALID_RUN_OPTIONS', 'nothing to run: pass `manifest` (a capsule.manifest.json)')
    if (runOptions.mounts?.length) throw new CapsuleError('INVALID_RUN_OPTIONS', '`mounts` are not supported through the queue: grant directories with allowedFiles at build time')
    const cwd = resolve(runOptions.cwd ?? options.cwd ?? process.cwd())
    const target = targets.resolve(resolve(cwd, runOptions.manifest), runOptions.task)
    const args = runOptions.args ?? []
    const jobId = randomUUID()
    const call: Pending = { perRun: runOptions.onEvent, takenEarly: false }
    await ready()
    if (!jsonArgs(args)) {
      const who = { callId: jobId, task: target.taskName, module: target.module }
      events.emit(who, { type: 'call:queued' }, call.perRun)
      const envelope = failureEnvelope(target.taskName, performance.now(), {
        error_type: 'invalid_input',
        message: 'the arguments must be JSON values (no BigInt, functions, undefined, NaN or cycles)',
      })
      events.emit(who, { type: 'call:end', envelope }, call.perRun)
      return envelope
    }
    pending.set(jobId, call)
    try {
      const job = await submit({ manifest: target.sha256, task: target.spec, args }, jobId)
      call.who = { callId: jobId, task: target.taskName, module: target.module }
      events.emit(call.who, { type: 'call:queued' }, call.perRun)
      if (call.takenEarly) {
        call.started = true
        events.emit(call.who, { type: 'call:start' }, call.perRun)
      }
      const envelope = await answer(job, target.taskName, runOptions.signal)
      // QueueEvents is a Redis stream read from "now": an `active` event can be missed. A call
      // that ended surely started, so its events still come in order.
      if (!call.started) events.emit(call.who, { type: 'call:start' }, call.perRun)
      events.emit(call.who, { type: 'call:end', envelope }, call.perRun)
      return envelope
    } finally {
      pending.delete(jobId)
    }
  }

  async function close(): Promise<void> {
    if (closed) return
    closed = true
    await Promise.allSettled([queueEvents.close(), queue.close()])
  }

  return {
    run,
    close,
    on: (type, listener) => events.on(type, listener),
    calls: () => events.calls(),
  }
}
