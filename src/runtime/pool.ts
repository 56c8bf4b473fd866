// A pool of warm sandbox workers. A sequential caller's call goes to the worker that served its
// last one while that worker resets its sandbox in place (staysOnLastWorker). Otherwise a call
// goes to an idle worker (one that served the same module and has its next sandbox ready first),
// else to a new worker up to the pool size, else it queues behind the running call of a busy
// worker (one call deep, so a worker never idles between calls), else it waits. A worker
// that falls idle takes over a call still queued elsewhere. A killed worker is replaced at once
// so a warm one is ready; its queued call is sent elsewhere. Sub-tasks never queue behind
// anything (their caller may be what blocks that worker): they get an idle or a new worker.
// Idle workers are unref'd: a process that only used the runtime exits by itself.
import { availableParallelism } from 'node:os'
import type { EngineArtifact } from './artifact.ts'
import { LANES } from './call-lanes.ts'
import { failedAttempt } from './envelope.ts'
import type { AttemptOutcome, RunRequest, SandboxOrigin } from './messages.ts'
import { NOT_STARTED, SandboxWorker, targetKey, type CallLimits, type SandboxTarget, type SubtaskHandler } from './sandbox-worker.ts'
import { warmUpModuleFor } from './warm-up-snapshot.ts'

/** Enough workers to keep every core busy (the main thread's share is small once calls queue). */
export const DEFAULT_POOL_SIZE = Math.max(2, Math.min(4, availableParallelism()))

/** What the pool's choice of a worker looks at. */
export interface WorkerState {
  alive: boolean
  load: number
  answered: number
  lastTarget: SandboxTarget | undefined
  sandboxReadySoon: boolean
}

/**
 * A sequential caller (no call in flight anywhere) stays on the worker that served its last call
 * when that worker is only resetting its sandbox in place (or done): it starts the call right
 * after. Waking another worker costs more on a VM (~0.1–0.2 ms) than the rest of a reset, and one
 * sandbox's memory stays in the CPU's cache instead of two taking turns (p50 of a warm no-op call
 * ~15–25 % lower here). Not after a trap or growth (a new instance takes milliseconds), not for a
 * new target, and not when calls run side by side (then every idle worker should take one).
 */
export function staysOnLastWorker(last: WorkerState, workers: readonly WorkerState[], key: string): boolean {
  return last.alive && last.answered > 0 && last.sandboxReadySoon && last.lastTarget !== undefined && targetKey(last.lastTarget) === key
    && workers.includes(last) && workers.every((worker) => worker.load === 0)
}

export interface PoolOptions {
  size: number
  onSubtask: SubtaskHandler
  /** Idle workers beyond the first are closed after this many ms; null = never. */
  idleTimeoutMs: number | null
}

/** How the calls answered so far were served: by a new sandbox, or one reset in place. */
export interface SandboxStats {
  fresh: number
  reset: number
}

type Request = Omit<RunRequest, 'engineDir' | 'moduleDir' | 'lane'>

export interface RunPlacement {
  /** A sub-task: never queued behind another call (its caller may be what blocks that worker). */
  overflow?: boolean
  /** Called once, when the call is first handed to a worker. */
  onDispatch?: () => void
}

export class WorkerPool {
  private readonly all = new Set<SandboxWorker>()
  private readonly waiting: (() => void)[] = []
  private readonly stats: SandboxStats = { fresh: 0, reset: 0 }
  /** CAPSULE_SANDBOX_REUSE=off makes every call use a new sandbox (bench baseline, tests). */
  private readonly reuseSandboxes = process.env.CAPSULE_SANDBOX_REUSE !== 'off'
  private closed = false
  private sweeper: NodeJS.Timeout | undefined
  /** The worker the last call went to. */
  private lastPicked: SandboxWorker | undefined

  constructor(private readonly options: PoolOptions) {
    if (options.idleTimeoutMs !== null) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(1_000, options.idleTimeoutMs / 2))
      this.sweeper.unref()
    }
  }

  sandboxStats(): SandboxStats {
    return { ...this.stats }
  }

  private spawn(): SandboxWorker {
    const worker = new SandboxWorker({
      onExit: (gone) => this.forget(gone),
      onSubtask: this.options.onSubtask,
      onServed: (origin: SandboxOrigin) => this.stats[origin]++,
      reuseSandboxes: this.reuseSandboxes,
    })
    this.all.add(worker)
    return worker
  }

  /** A worker died (killed on timeout, or crashed): replace it with a warm one at once. */
  private forget(worker: SandboxWorker): void {
    if (!this.all.delete(worker) || this.closed) return
    if (this.all.size < this.options.size) {
      const replacement = this.spawn()
      if (worker.lastTarget) void replacement.prepare(worker.lastTarget)
    }
    this.wakeAll()
  }

  /**
   * Capacity may have changed: every waiting call looks again (those that find none wait again).
   * Waking only one would lose wake-ups when another call takes the freed lane first, and the
   * pool could end with idle workers and calls that wait forever.
   */
  private wakeAll(): void {
    for (const wake of this.waiting.splice(0)) wake()
  }

  private live(): SandboxWorker[] {
    return [...this.all].filter((worker) => worker.alive)
  }

  /** The worker for the next call, or undefined when the caller has to wait. */
  private pick(target: SandboxTarget, overflow: boolean): SandboxWorker | undefined {
    const worker = this.choose(target, overflow)
    if (worker) this.lastPicked = worker
    return worker
  }

  private choose(target: SandboxTarget, overflow: boolean): SandboxWorker | undefined {
    const key = targetKey(target)
    const workers = this.live()
    const idle = workers.filter((worker) => worker.load === 0)
    const same = (worker: SandboxWorker) => worker.lastTarget !== undefined && targetKey(worker.lastTarget) === key
    if (!overflow && this.lastPicked && staysOnLastWorker(this.lastPicked, workers, key)) return this.lastPicked
    const best = idle.find((worker) => same(worker) && worker.sandboxReady) ?? idle.find(same) ?? idle[0]
    if (best) {
      // Remaking its next sandbox after a call (a trap, growth): a second worker, ready by the next
      // call, takes such waits off the path of sequential calls. (Not while it makes its first
      // one: a new thread would not be ready sooner, and its start would take the core that first
      // call needs — a new process's only call, often.)
      if (!best.sandboxReady && best.answered > 0 && same(best) && !overflow && this.all.size < this.options.size) void this.spawn().prepare(target)
      return best
    }
    if (this.all.size < this.options.size || overflow) return this.spawn()
    const queueable = workers.filter((worker) => worker.load < LANES && worker.lastTarget && targetKey(worker.lastTarget) === key)
    return queueable[0] ?? workers.find((worker) => worker.load < LANES)
  }

  /** Runs one attempt on some worker, moving it when its worker dies or frees up before it starts. */
  async run(request: Request, target: SandboxTarget, limits: CallLimits, options: RunPlacement = {}): Promise<AttemptOutcome> {
    let dispatched = false
    for (;;) {
      if (this.closed) return failedAttempt({ error_type: 'internal_error', message: 'the capsule runtime is closed' })
      if (limits.signal?.aborted) return failedAttempt({ error_type: 'timeout', message: 'the call was aborted' })
      const worker = this.pick(target, options.overflow === true)
      if (!worker) {
        await new Promise<void>((resolve) => this.waiting.push(resolve))
        continue
      }
      if (!dispatched) {
        dispatched = true
        options.onDispatch?.()
      }
      const result = await worker.call(request, target, limits)
      this.released(worker)
      if (result !== NOT_STARTED) return result
    }
  }

  /** A call on this worker ended: hand its free lane to a waiting call or to a queued one elsewhere. */
  private released(worker: SandboxWorker): void {
    if (!worker.alive || !this.all.has(worker)) return
    if (this.all.size > this.options.size && worker.load === 0) {
      // an overflow worker made for a sub-task: let it go
      this.all.delete(worker)
      void worker.terminate()
      this.wakeAll()
      return
    }
    if (this.waiting.length > 0) return this.wakeAll()
    if (worker.load === 0) {
      for (const other of this.live()) if (other !== worker && other.load > 1 && other.takeBackQueued()) return
    }
  }

  /** Starts the first worker ahead of any call (it boots while the caller resolves what to run). */
  prestart(): void {
    if (!this.closed && this.all.size === 0) this.spawn()
  }

  /**
   * Boots a worker if none is up and hands it an engine, compiled here, before any module on it is
   * known; a worker new to the engine also runs it once on the package's own snippet module when
   * that was built for the same engine (warm-up-snapshot.ts), so V8 compiles the call path while
   * the module is still being built.
   */
  warmEngine(engine: EngineArtifact): void {
    if (this.closed) return
    const worker = this.live()[0] ?? this.spawn()
    if (worker.hasEngine(engine)) return
    const warmUpModule = warmUpModuleFor(engine.key)
    void (warmUpModule ? worker.warmUp(engine, warmUpModule) : worker.sendEngine(engine)).catch(() => {})
  }

  /** Warms a worker for a module so the first call does not pay for loading it. */
  prepare(target: SandboxTarget): void {
    if (this.closed) return
    const key = targetKey(target)
    const workers = this.live()
    if (workers.some((worker) => worker.lastTarget && targetKey(worker.lastTarget) === key)) return
    const worker = workers.find((w) => w.load === 0) ?? (this.all.size < this.options.size ? this.spawn() : undefined)
    if (worker) void worker.prepare(target)
  }

  private sweep(): void {
    const limit = this.options.idleTimeoutMs
    if (limit === null) return
    const now = Date.now()
    for (const worker of this.live()) {
      if (this.all.size <= 1) break
      if (worker.load === 0 && now - worker.lastUsed > limit) {
        this.all.delete(worker)
        void worker.terminate()
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.sweeper)
    const waiting = this.waiting.splice(0)
    for (const wake of waiting) wake()
    const workers = [...this.all]
    this.all.clear()
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}
