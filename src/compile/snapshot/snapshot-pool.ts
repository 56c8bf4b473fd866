// Runs snapshots in worker threads (snapshot-worker.ts), at most two at a time, each under a
// wall-clock budget: top-level code that never ends gets its worker terminated and the build
// fails, instead of hanging. Workers stay warm between builds (a dev server's next edit skips
// the spawn) and are unref'd, so they never keep a process alive.
import { Worker } from 'node:worker_threads'
import type { SnapshotKit } from './take-snapshot.ts'
import type { SnapshotReply, SnapshotRequest } from './snapshot-worker.ts'

const MAX_WORKERS = 2

/** The module's top-level code failed (or made a call it may not make at build time). */
export class SnapshotFailed extends Error {
  constructor(message: string, readonly output: string) {
    super(message)
  }
}

/** The snapshot machinery itself failed (not the module): a worker crash or a missing file. */
export class SnapshotWorkerFailed extends Error {}

export interface SnapshotResult {
  taskData: Uint8Array
  memoryPages: number
  /** Milliseconds spent in the worker: running init, encoding task.data. */
  timings: { snapshot: number; encode: number }
}

export class SnapshotBudgetExceeded extends Error {}

interface PoolWorker {
  worker: Worker
  busy: boolean
}

const idle: PoolWorker[] = []
let live = 0
const waiting: ((worker: PoolWorker) => void)[] = []
let nextId = 0

function spawn(): PoolWorker {
  // Our own worker file: none of the host process's flags (e.g. --input-type) apply to it.
  const worker = new Worker(new URL('./snapshot-worker.mjs', import.meta.url), { execArgv: [] })
  worker.unref()
  live++
  const entry: PoolWorker = { worker, busy: false }
  worker.once('exit', () => {
    live--
    const at = idle.indexOf(entry)
    if (at >= 0) idle.splice(at, 1)
    // A worker that died (budget exceeded, crash) is replaced for whoever waits.
    const next = waiting.shift()
    if (next) next(spawn())
  })
  return entry
}

/** Starts a worker ahead of need (while the module is still being bundled). */
export function prewarmSnapshotWorker(): void {
  if (live === 0) idle.push(spawn())
}

async function acquire(): Promise<PoolWorker> {
  const ready = idle.pop()
  if (ready) return ready
  if (live < MAX_WORKERS) return spawn()
  return new Promise((resolve) => waiting.push(resolve))
}

function release(entry: PoolWorker): void {
  const next = waiting.shift()
  if (next) next(entry)
  else idle.push(entry)
}

export async function snapshotInWorker(kit: SnapshotKit, engineKey: string, code: string, budgetMs: number): Promise<SnapshotResult> {
  const entry = await acquire()
  const id = nextId++
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      entry.worker.off('message', onMessage)
      entry.worker.off('error', onError)
      entry.worker.off('exit', onExit)
    }
    const onMessage = (reply: SnapshotReply) => {
      if (reply.id !== id) return
      done()
      release(entry)
      if (reply.ok) resolve({ taskData: reply.taskData, memoryPages: reply.memoryPages, timings: reply.timings })
      else reject(reply.internal ? new SnapshotWorkerFailed(`taking the snapshot failed: ${reply.message}`) : new SnapshotFailed(reply.message, reply.output))
    }
    const onError = (error: Error) => {
      done()
      reject(new SnapshotWorkerFailed(`the snapshot worker failed: ${error.message}`))
    }
    const onExit = (code: number) => {
      done()
      reject(new SnapshotWorkerFailed(`the snapshot worker exited (${code})`))
    }
    const timer = setTimeout(() => {
      done()
      void entry.worker.terminate()
      reject(new SnapshotBudgetExceeded(`top-level code did not finish within the build budget of ${budgetMs} ms (an endless loop at the top level?); raise it with the "buildTimeout" option`))
    }, budgetMs)
    entry.worker.on('message', onMessage)
    entry.worker.on('error', onError)
    entry.worker.on('exit', onExit)
    const request: SnapshotRequest = { id, kit, engineKey, code }
    entry.worker.postMessage(request)
  })
}
