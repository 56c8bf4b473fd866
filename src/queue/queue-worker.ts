// The worker side of the queue: a BullMQ Worker that runs each job with a local runtime (pool
// size = concurrency) from one manifest's prebuilt artifacts and returns the envelope as the
// job's result. A job naming another manifest (by sha256) is answered with an internal_error
// envelope that says so. A worker that dies mid-job loses its lock; BullMQ's stalled-job check
// (on the surviving workers) puts the job back, so it runs again elsewhere (at-least-once) and
// the caller still reads its single completion.
import { resolve } from 'node:path'
import { Worker, type Job } from 'bullmq'
import { failureEnvelope } from '../runtime/envelope.ts'
import { CapsuleError } from '../runtime/errors.ts'
import { loadManifest } from '../runtime/manifest-load.ts'
import { createRuntime, type Runtime } from '../runtime/runtime.ts'
import type { CapsuleEvent } from '../runtime/events.ts'
import type { Envelope } from '../types.ts'
import { bullConnection, type QueueConnection } from './connection.ts'
import { DEFAULT_QUEUE, manifestSha256, type CapsuleJobData } from './jobs.ts'

export interface QueueWorkerOptions {
  /** The capsule.manifest.json this worker serves. */
  manifest: string
  connection: QueueConnection
  queue?: string
  /** Jobs run at once (and the sandbox pool size); default 1. */
  concurrency?: number
  /** How long a job's lock lasts before it must be renewed (ms; BullMQ default 30000). A dead worker's job is retried after about this long. */
  lockDuration?: number
  /** How often stalled jobs are looked for (ms; BullMQ default 30000). */
  stalledInterval?: number
  /** Project root for the tasks' relative file grants and .env (default process.cwd()). */
  cwd?: string
  /** Lifecycle events of the local runtime (attempts, retries, sub-tasks). */
  onEvent?: (event: CapsuleEvent) => void
  /** Called after each job with the envelope it answered. */
  onJob?: (jobId: string, envelope: Envelope) => void
  /** Redis errors while the worker keeps retrying. */
  onError?: (error: Error) => void
}

export interface QueueWorker {
  /** sha256 of the manifest served. */
  readonly manifestSha256: string
  /** Resolves once the worker is connected and taking jobs. */
  ready(): Promise<void>
  /** Graceful: takes no new job, finishes the ones in flight, then stops the sandboxes. */
  close(): Promise<void>
}

function taskNameOf(data: Partial<CapsuleJobData> | undefined): string {
  const spec = typeof data?.task === 'string' ? data.task : 'main'
  return spec.slice(spec.lastIndexOf('#') + 1) || 'main'
}

export function createQueueWorker(options: QueueWorkerOptions): QueueWorker {
  const manifestPath = resolve(options.cwd ?? process.cwd(), options.manifest)
  loadManifest(manifestPath) // a missing or invalid manifest is a CapsuleError now, not per job
  const sha256 = manifestSha256(manifestPath)
  const concurrency = options.concurrency ?? 1
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CapsuleError('INVALID_RUN_OPTIONS', `concurrency must be a positive integer, got ${concurrency}`)
  const runtime: Runtime = createRuntime({ poolSize: concurrency, cwd: options.cwd, onEvent: options.onEvent })

  async function processJob(job: Job<CapsuleJobData, Envelope>): Promise<Envelope> {
    const startedAt = performance.now()
    const taskName = taskNameOf(job.data)
    let envelope: Envelope
    if (job.data?.manifest !== sha256) {
      envelope = failureEnvelope(taskName, startedAt, {
        error_type: 'internal_error',
        message: `this worker serves manifest ${sha256} (${manifestPath}) but the job names manifest ${String(job.data?.manifest)}: start a worker for that build`,
      })
    } else {
      try {
        envelope = await runtime.run({ manifest: manifestPath, task: job.data.task, args: Array.isArray(job.data.args) ? job.data.args : [], cwd: options.cwd })
      } catch (error) {
        const known = error instanceof CapsuleError && error.code === 'TASK_NOT_FOUND'
        envelope = failureEnvelope(taskName, startedAt, { error_type: known ? 'invalid_input' : 'internal_error', message: (error as Error).message })
      }
    }
    options.onJob?.(String(job.id), envelope)
    return envelope
  }

  let closing: Promise<void> | undefined
  const worker = new Worker<CapsuleJobData, Envelope>(options.queue ?? DEFAULT_QUEUE, processJob, {
    connection: bullConnection(options.connection, () => closing !== undefined),
    concurrency,
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
    // A job whose worker died is taken over; one that stalls a third time is failed (the
    // caller gets internal_error) rather than killing workers forever.
    maxStalledCount: 2,
  })
  worker.on('error', (error) => options.onError?.(error))

  return {
    manifestSha256: sha256,
    ready: async () => {
      await worker.waitUntilReady()
    },
    close: () => {
      closing ??= worker.close().finally(() => runtime.close())
      return closing
    },
  }
}
