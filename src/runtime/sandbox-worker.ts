// The main thread's handle on one sandbox worker: hands it the shared engine's compiled modules
// once, sends calls (at most one running and one queued behind it, each in a lane of shared
// memory, call-lanes.ts), runs each call's timeout from the moment the worker started its guest
// (read from shared memory: no per-call `started` message), and on timeout or abort terminates
// the thread (the only thing that stops `while(true){}`), answering the call anyway. A call
// that had not started when its worker died, or that is taken back for an idle worker, is
// answered NOT_STARTED so the pool sends it elsewhere. It also answers sub-task requests.
import { MessageChannel, type Worker, type MessagePort } from 'node:worker_threads'
import type { EngineArtifact } from './artifact.ts'
import { CallLanes, createLaneBuffer, LANES, Phase, Readiness, sharedNow } from './call-lanes.ts'
import { engineModules } from './engine/engine-modules.ts'
import { startWorker } from './worker-exec-argv.ts'
import { failedAttempt, failureEnvelope } from './envelope.ts'
import type { AttemptOutcome, RunRequest, SandboxOrigin, SubtaskRequestMessage, WorkerReply } from './messages.ts'
import type { SandboxWorkerData } from './worker.ts'
import type { TaskError } from '../types.ts'
import { errorMessage } from '../shared/error-message.ts'

const WORKER_FILE = new URL('./runtime-worker.mjs', import.meta.url)
/**
 * The worker's young generation (V8's default lets it grow to ~8 MB of pages per worker). A call
 * leaves a few KB of short-lived garbage in the worker, so a small one only scavenges more often
 * (~every 60 calls instead of ~100), each as cheap: measured (--trace-gc, 3,000 calls) the same
 * GC time per worker, and ~5 MB less RSS per worker. Per isolate, so the host's V8 keeps its defaults.
 */
const YOUNG_GENERATION_MB = 4
/** How often a queued call's timer looks whether its call has started yet. */
const QUEUED_POLL_MS = 10

export interface CallLimits {
  timeoutMs: number | null
  signal?: AbortSignal
}

/** What a worker needs to make a sandbox: the engine, the module's snapshot, the memory cap. */
export interface SandboxTarget {
  engine: EngineArtifact
  moduleDir: string
  ram: number | null
}

export const targetKey = (target: SandboxTarget): string => `${target.moduleDir}\0${target.ram}`

/** The call never started: its worker died first, or the pool took it back for another worker. */
export const NOT_STARTED = Symbol('not started')
export type CallResult = AttemptOutcome | typeof NOT_STARTED

/** Runs a sub-task a guest asked for and answers its envelope as JSON. */
export type SubtaskHandler = (request: SubtaskRequestMessage) => Promise<string>

/** The envelope a sub-task answers with when the host failed to run it. */
function subtaskFailure(name: string, error: unknown): string {
  const message = `the host failed to run sub-task "${name}": ${errorMessage(error)}`
  return JSON.stringify(failureEnvelope(name, performance.now(), { error_type: 'internal_error', message }))
}

export interface SandboxWorkerOptions {
  onExit: (worker: SandboxWorker) => void
  onSubtask: SubtaskHandler
  /** Told how the sandbox of each answered call came to be (for the runtime's stats). */
  onServed: (origin: SandboxOrigin) => void
  reuseSandboxes: boolean
}

interface Pending {
  id: number
  finish: (result: CallResult) => void
}

interface SandboxThread {
  worker: Worker
  subtaskPort: MessagePort
  subtaskSignal: SharedArrayBuffer
  lanes: SharedArrayBuffer
  reuseSandboxes: boolean
}

function startSandboxThread(reuseSandboxes: boolean): SandboxThread {
  const { port1, port2 } = new MessageChannel()
  const subtaskSignal = new SharedArrayBuffer(4)
  const lanes = createLaneBuffer()
  const workerData: SandboxWorkerData = { subtaskPort: port2, subtaskSignal, lanes, reuseSandboxes }
  const worker = startWorker(WORKER_FILE, { workerData, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } })
  worker.unref()
  port1.unref()
  return { worker, subtaskPort: port1, subtaskSignal, lanes, reuseSandboxes }
}

/** A thread started before any runtime existed, for the process's first SandboxWorker to adopt. */
let prespawned: SandboxThread | undefined

/**
 * Starts a sandbox worker thread now, before any runtime is made: a one-shot CLI calls this
 * first thing, so the thread boots (~60–80 ms of Node start-up) while the CLI itself loads.
 * It never keeps the process alive on its own.
 */
export function prespawnSandboxWorker(): void {
  if (prespawned) return
  const thread = startSandboxThread(true)
  // Node refs the worker again as it comes up: unref it unless a SandboxWorker adopted it by then.
  thread.worker.once('online', () => {
    if (prespawned === thread) thread.worker.unref()
  })
  prespawned = thread
}

function adoptPrespawned(reuseSandboxes: boolean): SandboxThread | undefined {
  const thread = prespawned
  prespawned = undefined
  if (thread?.reuseSandboxes === reuseSandboxes) return thread
  if (thread) void thread.worker.terminate()
  return undefined
}

export class SandboxWorker {
  private readonly worker: Worker
  private readonly subtaskPort: MessagePort
  private readonly subtaskCounter: Int32Array
  private readonly lanes: CallLanes
  private readonly enginesSent = new Set<string>()
  private readonly pending: (Pending | undefined)[] = new Array<Pending | undefined>(LANES).fill(undefined)
  /** Calls this worker holds (running or queued), reserved synchronously by `call`. */
  load = 0
  /** False once the thread was terminated or crashed: never reuse it. */
  alive = true
  lastUsed = Date.now()
  lastTarget: SandboxTarget | undefined
  /** Calls this worker has answered (0: it is still making its first sandbox). */
  answered = 0

  constructor(private readonly options: SandboxWorkerOptions) {
    const thread = adoptPrespawned(options.reuseSandboxes) ?? startSandboxThread(options.reuseSandboxes)
    this.worker = thread.worker
    this.subtaskPort = thread.subtaskPort
    this.subtaskCounter = new Int32Array(thread.subtaskSignal)
    this.lanes = new CallLanes(thread.lanes)
    // Node refs the worker's port again as the thread comes up: a worker that never took a call
    // (one readied ahead) would keep the process alive. Unref it once more when it is online —
    // unless it is being terminated (terminate() holds it ref'd until it has exited). (An adopted
    // thread that is online already stays unref'd.)
    this.worker.once('online', () => {
      if (this.load === 0 && this.alive) this.worker.unref()
    })
    this.worker.on('message', (message: WorkerReply) => {
      if (message.type === 'subtask') {
        // Never left unhandled: whatever happens, the blocked guest gets an envelope.
        options.onSubtask(message).then(
          (envelopeJson) => this.answerSubtask(message.id, envelopeJson),
          (error: unknown) => this.answerSubtask(message.id, subtaskFailure(message.name, error)),
        )
        return
      }
      const pending = this.pending[message.lane]
      if (!pending || pending.id !== message.id) return
      if (message.sandbox) options.onServed(message.sandbox)
      pending.finish(message.outcome)
    })
    // A message the main thread cannot deserialize (e.g. a result nested too deep): answer anyway.
    this.worker.on('messageerror', () => {
      const unreadable = failedAttempt({ error_type: 'invalid_output', message: 'the sandbox answered with a value the host cannot read' })
      this.pending.forEach((pending, lane) => {
        if (pending && this.lanes.read(lane, pending.id)?.phase === Phase.Done) pending.finish(unreadable)
      })
    })
    this.worker.on('error', (error) => {
      this.settleAll(failedAttempt({ error_type: 'internal_error', message: `the sandbox worker crashed: ${error.message}` }))
    })
    this.worker.on('exit', () => {
      this.alive = false
      this.settleAll(failedAttempt({ error_type: 'internal_error', message: 'the sandbox worker exited unexpectedly' }))
      options.onExit(this)
    })
  }

  /** The worker is gone: the running call gets `outcome`, a queued one goes elsewhere. */
  private settleAll(outcome: AttemptOutcome): void {
    this.pending.forEach((pending, lane) => {
      if (!pending) return
      const phase = this.lanes.read(lane, pending.id)?.phase
      pending.finish(phase === Phase.Running || phase === Phase.Done ? outcome : NOT_STARTED)
    })
  }

  /** Hands a sub-task's envelope to the blocked guest and wakes it. */
  private answerSubtask(id: number, envelopeJson: string): void {
    if (!this.alive) return
    this.subtaskPort.postMessage({ id, envelopeJson })
    Atomics.add(this.subtaskCounter, 0, 1)
    Atomics.notify(this.subtaskCounter, 0)
  }

  /** The worker has a sandbox for its last target ready: a call sent now starts at once. */
  get sandboxReady(): boolean {
    return this.lanes.readiness === Readiness.Ready
  }

  /** Ready, or about to be: resetting its last sandbox in place (well under a millisecond). */
  get sandboxReadySoon(): boolean {
    return this.lanes.readiness !== Readiness.Making
  }

  /** Posts the engine's compiled modules the first time this worker needs them. */
  async sendEngine(engine: EngineArtifact): Promise<void> {
    if (this.enginesSent.has(engine.dir)) return
    const modules = await engineModules(engine)
    if (this.enginesSent.has(engine.dir)) return
    this.enginesSent.add(engine.dir)
    this.worker.postMessage({ type: 'engine', dir: engine.dir, key: engine.key, modules })
  }

  /** Whether this worker has (or is being sent) the engine's compiled modules. */
  hasEngine(engine: EngineArtifact): boolean {
    return this.enginesSent.has(engine.dir)
  }

  /** Sends the engine and has the worker run it once on `moduleDir`'s snapshot (a module on the same engine). */
  async warmUp(engine: EngineArtifact, moduleDir: string): Promise<void> {
    await this.sendEngine(engine)
    this.worker.postMessage({ type: 'warm-up', engineDir: engine.dir, moduleDir })
  }

  /** Pre-makes a sandbox for a target this worker has not served yet. */
  async prepare(target: SandboxTarget): Promise<void> {
    if (this.lastTarget && targetKey(this.lastTarget) === targetKey(target)) return
    this.lastTarget = target
    if (!this.enginesSent.has(target.engine.dir)) {
      // the worker reads the snapshot and the glue while this thread compiles the engine
      this.worker.postMessage({ type: 'preload', engineDir: target.engine.dir, moduleDir: target.moduleDir })
    }
    await this.sendEngine(target.engine)
    this.worker.postMessage({ type: 'prepare', engineDir: target.engine.dir, moduleDir: target.moduleDir, ram: target.ram })
  }

  /** Takes back a call that waits behind another one, for an idle worker; false if none. */
  takeBackQueued(): boolean {
    for (let lane = 0; lane < LANES; lane++) {
      const pending = this.pending[lane]
      if (pending && this.lanes.read(lane, pending.id)?.phase === Phase.Queued && this.lanes.cancel(lane, pending.id)) {
        pending.finish(NOT_STARTED)
        return true
      }
    }
    return false
  }

  /** Sends a call; the caller (the pool) made sure this worker holds fewer than LANES calls. */
  async call(request: Omit<RunRequest, 'engineDir' | 'moduleDir' | 'lane'>, target: SandboxTarget, limits: CallLimits): Promise<CallResult> {
    const lane = this.pending.findIndex((pending) => pending === undefined)
    if (lane < 0) throw new Error('internal: a sandbox worker was given more calls than it has lanes')
    let finish: (result: CallResult) => void = () => {}
    const result = new Promise<CallResult>((resolve) => (finish = resolve))
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => {
      if (this.lanes.cancel(lane, request.id)) settle({ ...failedAttempt({ error_type: 'timeout', message: 'the call was aborted' }) })
      else this.kill(settle, { error_type: 'timeout', message: 'the call was aborted' })
    }
    const settle = (outcome: CallResult) => {
      if (this.pending[lane]?.id !== request.id) return
      this.pending[lane] = undefined
      clearTimeout(timer)
      limits.signal?.removeEventListener('abort', onAbort)
      if (--this.load === 0) this.worker.unref()
      this.lastUsed = Date.now()
      this.answered++
      finish(outcome)
    }
    this.pending[lane] = { id: request.id, finish: settle }
    // A pending call keeps the process alive (an async wasm compile alone would not).
    if (this.load++ === 0) this.worker.ref()
    this.lastTarget = target
    try {
      await this.sendEngine(target.engine)
    } catch (error) {
      settle(failedAttempt({ error_type: 'internal_error', message: `cannot load the sandbox engine: ${(error as Error).message}` }))
      return result
    }
    if (!this.alive) {
      settle(NOT_STARTED)
      return result
    }
    if (limits.signal?.aborted) {
      settle(failedAttempt({ error_type: 'timeout', message: 'the call was aborted' }))
      return result
    }
    limits.signal?.addEventListener('abort', onAbort, { once: true })
    this.lanes.queue(lane, request.id)
    this.worker.postMessage({ ...request, lane, engineDir: target.engine.dir, moduleDir: target.moduleDir })
    if (limits.timeoutMs !== null) {
      const ms = limits.timeoutMs
      const check = () => {
        const where = this.lanes.read(lane, request.id)
        if (!where || where.phase === Phase.Done || where.phase === Phase.Cancelled) return
        if (where.phase === Phase.Queued) {
          timer = setTimeout(check, Math.min(ms, QUEUED_POLL_MS))
          return
        }
        const left = where.startedAt + ms - sharedNow()
        if (left > 0) timer = setTimeout(check, left)
        else this.kill(settle, { error_type: 'timeout', message: `the task exceeded its timeout of ${ms} ms` })
      }
      timer = setTimeout(check, ms)
    }
    return result
  }

  /** Stops the thread: the running call gets `error`; a queued one is taken back at once. */
  private kill(settleRunning: (result: CallResult) => void, error: TaskError): void {
    this.alive = false
    settleRunning(failedAttempt(error))
    this.takeBackQueued()
    void this.worker.terminate()
  }

  terminate(): Promise<number> {
    this.alive = false
    // Awaited by close(): held ref'd until the thread has exited, else a process with nothing
    // else to do ends first and that await never settles (exit code 13 under top-level await).
    this.worker.ref()
    return this.worker.terminate()
  }
}
