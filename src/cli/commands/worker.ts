// `capsule worker <manifest> --redis <url> [--concurrency N] [--queue name]`: serve queued calls
// (unplugin-capsule/queue) from one build's prebuilt artifacts until SIGTERM or SIGINT, then
// finish the calls in flight and exit 0 (a second signal exits at once). bullmq is loaded only
// here, lazily: the rest of the CLI never needs it.
import pc from 'picocolors'
import { UsageError } from '../usage-error.ts'
import { eventSinks } from '../lifecycle-output.ts'

export interface WorkerFlags {
  redis?: string
  concurrency?: string | number
  queue?: string
  lockDuration?: string | number
  stalledInterval?: string | number
  verbose?: boolean
  trace?: string
}

function positiveInteger(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`)
  return number
}

async function loadQueue(): Promise<typeof import('../../queue/index.ts')> {
  try {
    return await import('../../queue/index.ts')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /bullmq|ioredis/.test((error as Error).message)) {
      throw new UsageError('capsule worker needs bullmq and ioredis: npm install bullmq ioredis')
    }
    throw error
  }
}

export async function workerCommand(manifest: string, flags: WorkerFlags): Promise<number> {
  if (typeof flags.redis !== 'string' || flags.redis === '') throw new UsageError('capsule worker needs --redis <url>, e.g. --redis redis://127.0.0.1:6379')
  if (flags.queue !== undefined && (typeof flags.queue !== 'string' || flags.queue === '')) throw new UsageError('--queue needs a name')
  const concurrency = positiveInteger(flags.concurrency, '--concurrency') ?? 1
  const lockDuration = positiveInteger(flags.lockDuration, '--lock-duration')
  const stalledInterval = positiveInteger(flags.stalledInterval, '--stalled-interval')
  const onEvent = eventSinks({ trace: flags.trace })
  const { createQueueWorker } = await loadQueue()
  const say = (line: string) => process.stderr.write(`${pc.dim('[capsule worker]')} ${line}\n`)
  let served = 0
  const worker = createQueueWorker({
    manifest,
    connection: flags.redis,
    queue: flags.queue,
    concurrency,
    lockDuration,
    stalledInterval,
    onEvent,
    onJob: (jobId, envelope) => {
      served++
      if (flags.verbose) say(`job ${jobId} ${envelope.execution.task_name} answered ${envelope.success ? 'success' : envelope.error?.error_type} in ${envelope.execution.duration_ms} ms`)
    },
    onError: (error) => say(pc.yellow(`redis: ${error.message}`)),
  })
  await worker.ready()
  say(`serving ${manifest} (manifest ${worker.manifestSha256.slice(0, 12)}) on queue "${flags.queue ?? 'capsule'}", concurrency ${concurrency}, pid ${process.pid}`)
  await new Promise<void>((stop) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
      process.once(signal, () => process.exit(130)) // a second signal: stop now
      say(`${signal}: finishing the calls in flight`)
      stop()
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
  await worker.close()
  say(`stopped after ${served} job(s)`)
  return 0
}
