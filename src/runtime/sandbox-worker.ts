// The main thread's handle on one sandbox worker: hands it the shared engine's compiled modules
// once, sends calls, starts the wall-clock timer when the guest actually starts, and on timeout
// or abort terminates the thread (the only thing that stops `while(true){}`), answering the call
// anyway. It also answers the worker's sub-task requests.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import type { EngineArtifact } from './artifact.ts'
import { engineModules } from './engine/engine-modules.ts'
import { failedAttempt, failureEnvelope } from './envelope.ts'
import type { AttemptOutcome, RunRequest, SubtaskRequestMessage, WorkerReply } from './messages.ts'
import type { TaskError } from '../types.ts'

const WORKER_FILE = new URL('./runtime-worker.mjs', import.meta.url)

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

/** Runs a sub-task a guest asked for and answers its envelope as JSON. */
export type SubtaskHandler = (request: SubtaskRequestMessage) => Promise<string>

/** The envelope a sub-task answers with when the host failed to run it. */
function subtaskFailure(name: string, error: unknown): string {
  const message = `the host failed to run sub-task "${name}": ${error instanceof Error ? error.message : String(error)}`
  return JSON.stringify(failureEnvelope(name, performance.now(), { error_type: 'internal_error', message }))
}

export class SandboxWorker {
  private readonly worker: Worker
  private readonly subtaskPort: MessagePort
  private readonly subtaskCounter: Int32Array
  private readonly enginesSent = new Set<string>()
  private inFlight: { id: number; finish: (outcome: AttemptOutcome) => void; started: () => void } | undefined
  /** False once the thread was terminated or crashed: never reuse it. */
  alive = true
  lastUsed = Date.now()
  lastTarget: SandboxTarget | undefined

  constructor(onExit: (worker: SandboxWorker) => void, onSubtask: SubtaskHandler) {
    const { port1, port2 } = new MessageChannel()
    const subtaskSignal = new SharedArrayBuffer(4)
    this.subtaskPort = port1
    this.subtaskCounter = new Int32Array(subtaskSignal)
    this.worker = new Worker(WORKER_FILE, { workerData: { subtaskPort: port2, subtaskSignal }, transferList: [port2] })
    this.worker.unref()
    this.subtaskPort.unref()
    this.worker.on('message', (message: WorkerReply) => {
      if (message.type === 'subtask') {
        // Never left unhandled: whatever happens, the blocked guest gets an envelope.
        onSubtask(message).then(
          (envelopeJson) => this.answerSubtask(message.id, envelopeJson),
          (error: unknown) => this.answerSubtask(message.id, subtaskFailure(message.name, error)),
        )
        return
      }
      if (!this.inFlight || message.id !== this.inFlight.id) return
      if (message.type === 'started') this.inFlight.started()
      else this.inFlight.finish(message.outcome)
    })
    // A message the main thread cannot deserialize (e.g. a result nested too deep): answer anyway.
    this.worker.on('messageerror', () => {
      this.inFlight?.finish(failedAttempt({ error_type: 'invalid_output', message: 'the sandbox answered with a value the host cannot read' }))
    })
    this.worker.on('error', (error) => {
      this.inFlight?.finish(failedAttempt({ error_type: 'internal_error', message: `the sandbox worker crashed: ${error.message}` }))
    })
    this.worker.on('exit', () => {
      this.alive = false
      this.inFlight?.finish(failedAttempt({ error_type: 'internal_error', message: 'the sandbox worker exited unexpectedly' }))
      onExit(this)
    })
  }

  /** Hands a sub-task's envelope to the blocked guest and wakes it. */
  private answerSubtask(id: number, envelopeJson: string): void {
    if (!this.alive) return
    this.subtaskPort.postMessage({ id, envelopeJson })
    Atomics.add(this.subtaskCounter, 0, 1)
    Atomics.notify(this.subtaskCounter, 0)
  }

  /** Posts the engine's compiled modules the first time this worker needs them. */
  private async sendEngine(engine: EngineArtifact): Promise<void> {
    if (this.enginesSent.has(engine.dir)) return
    const modules = await engineModules(engine)
    if (this.enginesSent.has(engine.dir)) return
    this.enginesSent.add(engine.dir)
    this.worker.postMessage({ type: 'engine', dir: engine.dir, key: engine.key, modules })
  }

  /** Pre-makes the next sandbox for a target, so its first call does not pay for it. */
  async prepare(target: SandboxTarget): Promise<void> {
    this.lastTarget = target
    await this.sendEngine(target.engine)
    this.worker.postMessage({ type: 'prepare', engineDir: target.engine.dir, moduleDir: target.moduleDir, ram: target.ram })
  }

  async call(request: Omit<RunRequest, 'engineDir' | 'moduleDir'>, target: SandboxTarget, limits: CallLimits): Promise<AttemptOutcome> {
    this.lastTarget = target
    // A pending call keeps the process alive (an async wasm compile alone would not).
    this.worker.ref()
    try {
      await this.sendEngine(target.engine)
    } catch (error) {
      this.worker.unref()
      return failedAttempt({ error_type: 'internal_error', message: `cannot load the sandbox engine: ${(error as Error).message}` })
    }
    return new Promise<AttemptOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const onAbort = () => this.kill(finish, { error_type: 'timeout', message: 'the call was aborted' })
      const finish = (outcome: AttemptOutcome) => {
        if (!this.inFlight) return
        this.inFlight = undefined
        clearTimeout(timer)
        limits.signal?.removeEventListener('abort', onAbort)
        this.worker.unref()
        this.lastUsed = Date.now()
        resolve(outcome)
      }
      const started = () => {
        if (limits.timeoutMs === null) return
        const ms = limits.timeoutMs
        timer = setTimeout(() => this.kill(finish, { error_type: 'timeout', message: `the task exceeded its timeout of ${ms} ms` }), ms)
      }
      this.inFlight = { id: request.id, finish, started }
      if (limits.signal?.aborted) return onAbort()
      limits.signal?.addEventListener('abort', onAbort, { once: true })
      this.worker.postMessage({ ...request, engineDir: target.engine.dir, moduleDir: target.moduleDir })
    })
  }

  private kill(finish: (outcome: AttemptOutcome) => void, error: TaskError): void {
    this.alive = false
    finish(failedAttempt(error))
    void this.worker.terminate()
  }

  terminate(): Promise<number> {
    this.alive = false
    return this.worker.terminate()
  }
}
