// Runs snapshots in child processes (snapshot-process.ts: baseline-compiled wasm, see there), at
// most two at a time, each under a wall-clock budget: top-level code that never ends gets its
// process killed and the build fails, instead of hanging. The first process starts while the
// module is still being bundled and reads the kit then; processes stay up between builds (a dev
// server's next edit skips the start) and never keep the host alive while idle. While a kit has
// no compile hints yet, the first process traces its compiles and exits after one snapshot, and
// its trace becomes the kit's hints (kit-hints.ts): later processes compile ahead what a
// snapshot reaches. Their malloc uses transparent huge pages (huge-pages-env.ts).
import { fork, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { harvestTraces, kitWantsHints, RETIRE_AFTER_SNAPSHOT, TRACE_FLAG, traceFile } from './kit-hints.ts'
import type { KitRef, SnapshotReply, SnapshotRequest } from './snapshot-process.ts'
import { hugePagesEnv } from '../../shared/huge-pages-env.ts'

const MAX_PROCESSES = 2
const ENTRY = new URL('./snapshot-process.mjs', import.meta.url)
/**
 * V8 flags of the snapshot process (none of the host's own apply to it): baseline code only, and
 * each function of the kit validated when first compiled instead of all ~12,700 up front (V8
 * already compiles lazily; a snapshot reaches ~1,300 of them). The kit is this toolchain's own.
 */
const FLAGS = ['--liftoff-only', '--wasm-lazy-validation']

/** The module's top-level code failed (or made a call it may not make at build time). */
export class SnapshotFailed extends Error {
  constructor(message: string, readonly output: string) {
    super(message)
  }
}

/** The snapshot machinery itself failed (not the module): a process crash or a missing file. */
export class SnapshotWorkerFailed extends Error {}

/** The snapshot process wrote the module's task.data to the file it was given. */
export interface SnapshotResult {
  memoryPages: number
  /** Milliseconds spent in the snapshot process: running init, encoding and writing task.data. */
  timings: { snapshot: number; encode: number }
}

export class SnapshotBudgetExceeded extends Error {}

interface PoolProcess {
  child: ChildProcess
  exited: boolean
  /** The end of what it wrote on stderr (a crash's reason). */
  stderr: string
  /** Kit dirs this process was told to load. */
  kits: Set<string>
  /** Tracing its compiles for a kit's hints (kit-hints.ts): it exits after its first snapshot. */
  retiring: boolean
}

const idle: PoolProcess[] = []
let live = 0
/** Kit folders a live process is tracing compiles for. */
const tracing = new Set<string>()
const waiting: ((entry: PoolProcess) => void)[] = []
let nextId = 0

/** An idle process must not keep the host alive; one with a request in flight must. */
function hold(entry: PoolProcess, busy: boolean): void {
  if (entry.exited) return
  const channel = entry.child.channel as { ref(): void; unref(): void } | null | undefined
  if (busy) {
    entry.child.ref()
    channel?.ref()
  } else {
    entry.child.unref()
    channel?.unref()
  }
}

/** A trace file opened in the kit's folder when the kit lacks its hints (and its folder takes files). */
function openTrace(hintsFor: string | undefined): { kit: string; fd: number } | undefined {
  if (!hintsFor || !kitWantsHints(hintsFor)) return undefined
  try {
    return { kit: hintsFor, fd: openSync(traceFile(hintsFor, `${process.pid}-${Date.now()}-${nextId}`), 'w') }
  } catch {
    return undefined
  }
}

/** `hintsFor`: the kit folder this process will likely serve (to learn its hints when it has none). */
function spawn(hintsFor?: string): PoolProcess {
  const trace = openTrace(hintsFor)
  const env = hugePagesEnv()
  const child = trace
    ? fork(ENTRY, [RETIRE_AFTER_SNAPSHOT], { env, execArgv: [...FLAGS, TRACE_FLAG], serialization: 'advanced', stdio: ['ignore', trace.fd, 'pipe', 'ipc'] })
    : fork(ENTRY, [], { env, execArgv: FLAGS, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
  if (trace) {
    closeSync(trace.fd)
    tracing.add(trace.kit)
  }
  live++
  const entry: PoolProcess = { child, exited: false, stderr: '', kits: new Set(), retiring: trace !== undefined }
  child.stderr?.on('data', (chunk: Buffer) => {
    entry.stderr = (entry.stderr + chunk.toString()).slice(-2_000)
  })
  ;(child.stderr as { unref?: () => void } | null)?.unref?.()
  hold(entry, false)
  child.once('exit', () => {
    entry.exited = true
    live--
    if (trace) {
      tracing.delete(trace.kit)
      harvestTraces(trace.kit)
    }
    const at = idle.indexOf(entry)
    if (at >= 0) idle.splice(at, 1)
    // A process that died (budget exceeded, crash) is replaced for whoever waits.
    const next = waiting.shift()
    if (next) next(spawn())
  })
  // A failed spawn also ends in 'exit' (or leaves nothing to send to): never an unhandled error.
  child.on('error', () => {})
  return entry
}

function load(entry: PoolProcess, kit: KitRef): void {
  if (entry.kits.has(kit.dir) || entry.exited) return
  entry.kits.add(kit.dir)
  entry.child.send({ type: 'load', kit } satisfies SnapshotRequest)
}

/**
 * Starts the first process ahead of need: Node's own start-up (~0.1 s) overlaps the compiler's.
 * `kitDir`: the kit it will likely read, whose hints it learns when the kit has none yet.
 */
export function startSnapshotProcess(kitDir?: string): void {
  if (live > 0) return
  if (kitDir) harvestTraces(kitDir)
  idle.push(spawn(kitDir))
}

/** Has an idle process (started now if none is up) read and compile the kit while the module is bundled. */
export function prewarmSnapshotWorker(kit: Promise<KitRef>): void {
  startSnapshotProcess()
  const entry = idle.at(-1)
  if (entry) kit.then((ref) => load(entry, ref), () => {})
}

async function acquire(kitDir: string): Promise<PoolProcess> {
  // A kit without hints gets a process that learns them (kit-hints.ts), even past an idle one.
  if (live < MAX_PROCESSES && !tracing.has(kitDir) && kitWantsHints(kitDir)) return spawn(kitDir)
  const ready = idle.pop()
  if (ready) return ready
  if (live < MAX_PROCESSES) return spawn()
  return new Promise((resolve) => waiting.push(resolve))
}

function release(entry: PoolProcess): void {
  // A tracing process exits after its snapshot; whoever waits gets its replacement then.
  if (entry.exited || entry.retiring) return
  const next = waiting.shift()
  if (next) next(entry)
  else {
    hold(entry, false)
    idle.push(entry)
  }
}

export async function snapshotInWorker(kit: KitRef, engineKey: string, code: string, taskDataFile: string, budgetMs: number): Promise<SnapshotResult> {
  const entry = await acquire(kit.dir)
  if (entry.exited) throw new SnapshotWorkerFailed('the snapshot process exited before it took the module')
  const id = nextId++
  hold(entry, true)
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      entry.child.off('message', onMessage)
      entry.child.off('exit', onExit)
    }
    const onMessage = (reply: SnapshotReply) => {
      if (reply.id !== id) return
      done()
      release(entry)
      if (reply.ok) resolve({ memoryPages: reply.memoryPages, timings: reply.timings })
      else reject(reply.internal ? new SnapshotWorkerFailed(`taking the snapshot failed: ${reply.message}`) : new SnapshotFailed(reply.message, reply.output))
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      done()
      const said = entry.stderr.trim()
      reject(new SnapshotWorkerFailed(`the snapshot process exited (${signal ?? code})${said ? `: ${said}` : ''}`))
    }
    const timer = setTimeout(() => {
      done()
      entry.child.kill('SIGKILL')
      reject(new SnapshotBudgetExceeded(`top-level code did not finish within the build budget of ${budgetMs} ms (an endless loop at the top level?); raise it with the "buildTimeout" option`))
    }, budgetMs)
    entry.child.on('message', onMessage)
    entry.child.on('exit', onExit)
    entry.kits.add(kit.dir)
    entry.child.send({ type: 'snapshot', id, kit, engineKey, code, taskDataFile } satisfies SnapshotRequest)
  })
}
