// A pool of warm sandbox workers. A call takes an idle worker (or spawns one up to the pool
// size, or waits); a killed worker is replaced at once so a warm one is ready for the next call.
// Idle workers are unref'd: a process that only used the runtime exits by itself.
import { SandboxWorker, type SandboxTarget, type SubtaskHandler } from './sandbox-worker.ts'

export interface PoolOptions {
  size: number
  onSubtask: SubtaskHandler
  /** Idle workers beyond the first are closed after this many ms; null = never. */
  idleTimeoutMs: number | null
}

export class WorkerPool {
  private readonly idle: SandboxWorker[] = []
  private readonly all = new Set<SandboxWorker>()
  private readonly waiting: ((worker: SandboxWorker) => void)[] = []
  private closed = false
  private sweeper: NodeJS.Timeout | undefined

  constructor(private readonly options: PoolOptions) {
    if (options.idleTimeoutMs !== null) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(1_000, options.idleTimeoutMs / 2))
      this.sweeper.unref()
    }
  }

  private spawn(): SandboxWorker {
    const worker = new SandboxWorker((gone) => this.forget(gone), this.options.onSubtask)
    this.all.add(worker)
    return worker
  }

  /** A worker died (killed on timeout, or crashed): replace it with a warm one at once. */
  private forget(worker: SandboxWorker): void {
    if (!this.all.delete(worker)) return
    const index = this.idle.indexOf(worker)
    if (index >= 0) this.idle.splice(index, 1)
    if (this.closed) return
    const replacement = this.spawn()
    if (worker.lastTarget) void replacement.prepare(worker.lastTarget)
    const next = this.waiting.shift()
    if (next) next(replacement)
    else this.idle.push(replacement)
  }

  /**
   * An idle worker (the longest idle: its next sandbox is surely made), a new one up to the pool size, or the next one released. A sub-task passes
   * `overflow`: it must never queue behind its own blocked ancestor, so it gets a new worker.
   */
  acquire(options: { overflow?: boolean } = {}): Promise<SandboxWorker> {
    if (this.closed) return Promise.reject(new Error('the capsule runtime is closed'))
    const worker = this.idle.shift()
    if (worker) return Promise.resolve(worker)
    if (this.all.size < this.options.size || options.overflow) return Promise.resolve(this.spawn())
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  release(worker: SandboxWorker): void {
    if (!worker.alive || !this.all.has(worker)) return
    const next = this.waiting.shift()
    if (next) next(worker)
    else if (this.all.size > this.options.size) {
      // an overflow worker made for a sub-task: let it go
      this.all.delete(worker)
      void worker.terminate()
    } else this.idle.push(worker)
  }

  /** Starts the first worker ahead of any call (it boots while the caller resolves what to run). */
  prestart(): void {
    if (!this.closed && this.all.size === 0) this.idle.push(this.spawn())
  }

  /** Warms a worker for a module so the first call does not pay for loading it. */
  prepare(target: SandboxTarget): void {
    if (this.closed) return
    const worker = this.idle[this.idle.length - 1] ?? (this.all.size < this.options.size ? this.spawn() : undefined)
    if (!worker) return
    if (!this.idle.includes(worker)) this.idle.push(worker)
    void worker.prepare(target)
  }

  private sweep(): void {
    const limit = this.options.idleTimeoutMs
    if (limit === null) return
    const now = Date.now()
    for (const worker of [...this.idle]) {
      if (this.all.size <= 1) break
      if (now - worker.lastUsed > limit) {
        this.idle.splice(this.idle.indexOf(worker), 1)
        this.all.delete(worker)
        void worker.terminate()
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.sweeper)
    this.waiting.length = 0
    const workers = [...this.all]
    this.all.clear()
    this.idle.length = 0
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}
