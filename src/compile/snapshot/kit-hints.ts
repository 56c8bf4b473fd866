// Which of the kit's functions a snapshot reaches, learned once per kit on this machine and kept
// beside it (`kits/hints/<kit>.json`: the kit's own folder stays exactly as built or shipped), so
// later snapshot processes compile them ahead (compile-hints.ts). Learned from V8 itself: a
// snapshot process started while the kit has no hints runs with --trace-wasm-compilation-times,
// its standard output going to a trace file next to the hints, and exits after its first
// snapshot so that V8's buffered output reaches the file; the
// file is then read ("Compiled function …#<index> using Liftoff": every function compiled, each
// once) by the pool when the process exits, or by the next process that finds it. A trace cut
// short gives fewer hints, never wrong ones: hints only decide when code is compiled.
// Only on a machine with cores to spare (compileHintsWanted).
import { availableParallelism } from 'node:os'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { KIT_FILES } from './kit-files.ts'

const HINTS_FORMAT = 1
const STALE_TRACE_MS = 10 * 60_000
const TRACED_FUNCTION = /^Compiled function \S+#(\d+) using Liftoff/gm
/** V8 flag that makes a process print each function it compiles. */
export const TRACE_FLAG = '--trace-wasm-compilation-times'
/** Argument of a snapshot process that traces: it exits once it has answered one snapshot. */
export const RETIRE_AFTER_SNAPSHOT = '--retire-after-snapshot'

export interface KitHints {
  format: typeof HINTS_FORMAT
  /** The size of the init.wasm the hints were learned on (a different one ignores them). */
  initBytes: number
  /** Function indices (imports included), ascending. */
  eager: number[]
}

/**
 * Whether snapshot processes learn and use compile hints. Hints buy a kit compile spread over V8's
 * threads for ~0.1 s more CPU (measured alone: 340 ms of CPU for the hinted compile and an 80 ms
 * snapshot, against ~90 ms and ~230 ms without), which pays only with a core to spare while the
 * host, its sandbox worker and esbuild work too. On two cores, once the worker warmed its engine
 * alongside, they no longer made a one-line edit in a new process any sooner (five alternating
 * runs on Node 20 and 24: from 10 ms later to 37 ms sooner without them), so they are left to
 * machines with more. `CAPSULE_COMPILE_HINTS=1` (or `0`) decides instead of the core count.
 */
export function compileHintsWanted(): boolean {
  const setting = process.env.CAPSULE_COMPILE_HINTS
  if (setting === '1' || setting === '0') return setting === '1'
  return availableParallelism() > 2
}

/** The folder holding every kit's hints and traces, beside the kits. */
const hintsDir = (kitDir: string) => join(dirname(kitDir), 'hints')
/** The kit's hints file. */
export const hintsFile = (kitDir: string) => join(hintsDir(kitDir), `${basename(kitDir)}.json`)
const tracePrefix = (kitDir: string) => `${basename(kitDir)}.trace-`

function initBytes(dir: string): number | undefined {
  try {
    return statSync(join(dir, KIT_FILES.initWasm)).size
  } catch {
    return undefined
  }
}

/** The kit's hints, or undefined when there are none (or they do not belong to this kit's engine). */
export function readKitHints(dir: string): KitHints | undefined {
  try {
    const hints = JSON.parse(readFileSync(hintsFile(dir), 'utf8')) as Partial<KitHints>
    const valid = hints.format === HINTS_FORMAT && hints.initBytes === initBytes(dir) && Array.isArray(hints.eager)
      && hints.eager.every((index) => Number.isSafeInteger(index) && index >= 0)
    return valid ? hints as KitHints : undefined
  } catch {
    return undefined
  }
}

/** Kits this process has found hints for: asked before every snapshot, answered without reading again. */
const hinted = new Set<string>()

/** Whether a snapshot process for this kit should trace its compiles (the kit is there, its hints are not). */
export function kitWantsHints(dir: string): boolean {
  if (!compileHintsWanted() || hinted.has(dir) || !existsSync(join(dir, KIT_FILES.initWasm))) return false
  if (!readKitHints(dir)) return true
  hinted.add(dir)
  return false
}

/** A new trace file's path for the kit (its folder is made when missing). */
export function traceFile(dir: string, id: string): string {
  mkdirSync(hintsDir(dir), { recursive: true })
  return join(hintsDir(dir), `${tracePrefix(dir)}${id}.txt`)
}

/** Function indices named by a trace. */
export function tracedFunctions(trace: string): number[] {
  return [...trace.matchAll(TRACED_FUNCTION)].map((match) => Number(match[1]))
}

/**
 * Reads every trace file left for the kit into its hints file (written whole, then renamed into
 * place) and removes them. Best effort: a cache it cannot write is left as is.
 */
export function harvestTraces(dir: string): void {
  // Where hints are not wanted no trace is made: nothing to read at every compile's start.
  if (!compileHintsWanted()) return
  try {
    if (!existsSync(hintsDir(dir))) return
    const traces = readdirSync(hintsDir(dir)).filter((name) => name.startsWith(tracePrefix(dir))).map((name) => join(hintsDir(dir), name))
    if (traces.length === 0) return
    const eager = new Set<number>()
    for (const trace of traces) {
      for (const index of tracedFunctions(readFileSync(trace, 'utf8'))) eager.add(index)
    }
    const size = initBytes(dir)
    if (eager.size > 0 && size !== undefined && !readKitHints(dir)) {
      const hints: KitHints = { format: HINTS_FORMAT, initBytes: size, eager: [...eager].sort((a, b) => a - b) }
      const staging = `${hintsFile(dir)}.tmp-${process.pid}-${Date.now()}`
      writeFileSync(staging, JSON.stringify(hints))
      renameSync(staging, hintsFile(dir))
    }
    // Kept while no hints came of them (a process may still be writing one), unless long stale.
    const done = readKitHints(dir) !== undefined
    for (const trace of traces) {
      if (done || Date.now() - statSync(trace).mtimeMs > STALE_TRACE_MS) unlinkSync(trace)
    }
  } catch {
    // hints are an optimization: without them snapshots compile lazily, as they always did
  }
}
