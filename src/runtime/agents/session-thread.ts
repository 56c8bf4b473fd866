// The main thread's handle on one session worker: opens the session's sandbox, sends runs one
// at a time, starts the run's wall-clock timer when the guest starts, and on timeout or abort
// terminates the thread (the only thing that stops `while(true){}`), answering the run anyway.
import type { Worker } from 'node:worker_threads'
import type { ModuleArtifact } from '../artifact.ts'
import { engineModules } from '../engine/engine-modules.ts'
import { failedAttempt } from '../envelope.ts'
import type { AttemptOutcome } from '../messages.ts'
import type { TaskError } from '../../types.ts'
import type { SessionReply, SessionRun } from './session-messages.ts'
import { startWorker } from '../worker-exec-argv.ts'

const WORKER_FILE = new URL('./session-worker.mjs', import.meta.url)

export interface RunAnswer {
  outcome: AttemptOutcome
  /** The sandbox is gone (trap, fuel, memory, timeout, crash): its state cannot be used again. */
  lost: boolean
}

export class SessionThread {
  private readonly worker: Worker
  private inFlight: { id: number; finish: (answer: RunAnswer) => void; started: () => void } | undefined
  private alive = true

  private constructor(worker: Worker) {
    this.worker = worker
    this.worker.unref()
    this.worker.on('message', (message: SessionReply) => {
      if (!this.inFlight || message.id !== this.inFlight.id) return
      if (message.type === 'started') this.inFlight.started()
      else this.inFlight.finish({ outcome: message.outcome, lost: message.lost })
    })
    this.worker.on('error', (error) => {
      this.alive = false
      this.inFlight?.finish({ outcome: failedAttempt({ error_type: 'internal_error', message: `the session worker crashed: ${error.message}` }), lost: true })
    })
    this.worker.on('exit', () => {
      this.alive = false
      this.inFlight?.finish({ outcome: failedAttempt({ error_type: 'internal_error', message: 'the session worker exited unexpectedly' }), lost: true })
    })
  }

  /** Starts a worker and has it make the session's sandbox of `artifact` under a `ram` cap. */
  static async open(artifact: ModuleArtifact, ram: number | null): Promise<SessionThread> {
    const modules = await engineModules(artifact.engine)
    const thread = new SessionThread(startWorker(WORKER_FILE))
    thread.worker.postMessage({ type: 'open', engineDir: artifact.engine.dir, engineKey: artifact.engine.key, modules, moduleDir: artifact.dir, ram })
    return thread
  }

  run(request: Omit<SessionRun, 'type'>, limits: { timeoutMs: number | null; signal?: AbortSignal }): Promise<RunAnswer> {
    if (!this.alive) return Promise.resolve({ outcome: failedAttempt({ error_type: 'internal_error', message: 'the session worker is gone' }), lost: true })
    // A pending run keeps the process alive.
    this.worker.ref()
    return new Promise<RunAnswer>((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const onAbort = () => this.kill(finish, { error_type: 'timeout', message: 'the run was aborted' })
      const finish = (answer: RunAnswer) => {
        if (!this.inFlight) return
        this.inFlight = undefined
        clearTimeout(timer)
        limits.signal?.removeEventListener('abort', onAbort)
        if (this.alive) this.worker.unref()
        resolve(answer)
      }
      const started = () => {
        if (limits.timeoutMs === null) return
        const ms = limits.timeoutMs
        timer = setTimeout(() => this.kill(finish, { error_type: 'timeout', message: `the run exceeded its timeout of ${ms} ms` }), ms)
      }
      this.inFlight = { id: request.id, finish, started }
      if (limits.signal?.aborted) return onAbort()
      limits.signal?.addEventListener('abort', onAbort, { once: true })
      this.worker.postMessage({ type: 'run', ...request })
    })
  }

  private kill(finish: (answer: RunAnswer) => void, error: TaskError): void {
    this.alive = false
    finish({ outcome: failedAttempt(error), lost: true })
    void this.worker.terminate()
  }

  async terminate(): Promise<void> {
    this.alive = false
    await this.worker.terminate()
  }
}
