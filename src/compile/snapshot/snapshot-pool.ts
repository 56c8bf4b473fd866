// Runs snapshots in worker threads (snapshot-worker.ts), at most two at a time, each under a
// wall-clock budget: top-level code that never ends gets its worker terminated and the build
// fails, instead of hanging. Workers stay warm between builds (a dev server's next edit skips
// the spawn) and are unref'd, so they never keep a process alive. A process's first worker
// warms up while the module is still being bundled: it initializes the engine once on an empty
// module, so V8 compiles the engine's start-up code (wasm functions compile on first call) off
// the build's path, and the real snapshot runs on compiled code.
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

/** Workers running their warm-up: a request waits for one of them rather than spawning a cold one. */
let warming = 0
/** The warm-up never takes longer than this (an empty module); past it the worker is replaced. */
const WARM_UP_BUDGET_MS = 30_000

/**
 * Starts the process's first worker ahead of need (while the module is still being bundled)
 * and, once the kit is loaded, has it initialize the engine on an empty module. Its outcome is
 * not used: it only makes V8 compile the code every snapshot runs.
 */
export function prewarmSnapshotWorker(kit: Promise<SnapshotKit>): void {
  if (live > 0) return
  const entry = spawn()
  warming++
  const id = nextId++
  const finished = () => {
    warming--
    entry.worker.off('message', onMessage)
    entry.worker.off('exit', finished)
    clearTimeout(timer)
    if (live > 0 && entry.worker.threadId >= 0) release(entry)
  }
  const onMessage = (reply: SnapshotReply) => {
    if (reply.id === id) finished()
  }
  const timer = setTimeout(() => void entry.worker.terminate(), WARM_UP_BUDGET_MS)
  timer.unref()
  entry.worker.on('message', onMessage)
  entry.worker.once('exit', finished)
  kit.then(
    (loaded) => {
      const request: SnapshotRequest = { id, kit: loaded, engineKey: '', code: '', warmUp: true }
      entry.worker.postMessage(request)
    },
    () => finished(),
  )
}

async function acquire(): Promise<PoolWorker> {
  const ready = idle.pop()
  if (ready) return ready
  if (live < MAX_WORKERS && warming <= waiting.length) return spawn()
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
