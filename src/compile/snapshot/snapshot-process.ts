// Child process entry: takes one module's snapshot at a time (take-snapshot.ts), writes the
// encoded task.data where the host asked (its staging folder) and answers the rest: ~1.2 MB
// through the IPC channel cost the host ~25 ms of copies (Node concatenates each chunk it reads
// onto what it has) where a write here costs ~3. A process of its own, not a worker thread, for
// two reasons: V8's flags are per process, and this one runs wasm with the baseline compiler
// only (`--liftoff-only`) — the engine's start-up code runs once per snapshot, so optimizing it
// never pays: with TurboFan's background jobs a new process's first snapshot took ~3× longer,
// and they took the core the host's own build work needed; and a wall-clock budget that stops
// top-level code that never ends is a kill of this process. It reads and compiles the kit itself
// (once per kit dir), as soon as the pool tells it which one, while the host is still bundling
// the module. When the kit has compile hints (kit-hints.ts) the functions they name are compiled
// then too, ahead of the module's source (compile-hints.ts), on machines with cores to spare.
import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { readHintedModule } from './compile-hints.ts'
import { compileHintsWanted, readKitHints, RETIRE_AFTER_SNAPSHOT } from './kit-hints.ts'
import { encodeTaskData } from '../../formats/task-data.ts'
import { KIT_FILES, type KitMeta } from './kit-files.ts'
import { SnapshotError, takeSnapshot, type SnapshotKit } from './take-snapshot.ts'
import { errorMessage } from '../../shared/error-message.ts'

/** Which kit to snapshot with: its directory and its meta (kit.json, already read by the host). */
export interface KitRef {
  dir: string
  meta: Pick<KitMeta, 'env' | 'globals'>
}

export type SnapshotRequest =
  | { type: 'load'; kit: KitRef }
  /** `taskDataFile`: where to write the encoded task.data (in the host's staging folder). */
  | { type: 'snapshot'; id: number; kit: KitRef; engineKey: string; code: string; taskDataFile: string }

export type SnapshotReply =
  | { id: number; ok: true; memoryPages: number; timings: { snapshot: number; encode: number } }
  | { id: number; ok: false; message: string; output: string; internal?: true }

const kits = new Map<string, Promise<SnapshotKit>>()

/**
 * The kit's engine with its hints: compiled synchronously (on Node 24 an async compile of a
 * module with eager hints never settles), or undefined when it has none or they do not apply.
 */
function compileHinted(dir: string): WebAssembly.Module | undefined {
  const hints = compileHintsWanted() ? readKitHints(dir) : undefined
  if (!hints) return undefined
  // Set here, only when hints are used, and not on the command line: a Node whose V8 dropped the
  // flag still starts (and ignores the hints).
  setFlagsFromString('--experimental-wasm-compilation-hints')
  try {
    return new WebAssembly.Module(readHintedModule(join(dir, KIT_FILES.initWasm), hints.eager))
  } catch {
    return undefined
  }
}

async function readKit(kit: KitRef): Promise<SnapshotKit> {
  const initializer = readFile(join(kit.dir, KIT_FILES.initializer))
  const module = compileHinted(kit.dir) ?? await WebAssembly.compile(await readFile(join(kit.dir, KIT_FILES.initWasm)))
  return { module, env: kit.meta.env, initializer: await initializer, globals: kit.meta.globals }
}

/** The kit, read and compiled once per dir (a failed load is tried again next time). */
function loadKit(kit: KitRef): Promise<SnapshotKit> {
  let loading = kits.get(kit.dir)
  if (!loading) {
    loading = readKit(kit)
    kits.set(kit.dir, loading)
    loading.catch(() => kits.delete(kit.dir))
  }
  return loading
}

async function answer(request: Extract<SnapshotRequest, { type: 'snapshot' }>): Promise<SnapshotReply> {
  try {
    const kit = await loadKit(request.kit)
    const started = performance.now()
    const snapshot = takeSnapshot(kit, request.code)
    const taken = performance.now()
    writeFileSync(request.taskDataFile, encodeTaskData(request.engineKey, snapshot.memoryPages, snapshot.globals, snapshot.segments))
    const timings = { snapshot: Math.round(taken - started), encode: Math.round(performance.now() - taken) }
    return { id: request.id, ok: true, memoryPages: snapshot.memoryPages, timings }
  } catch (error) {
    return error instanceof SnapshotError
      ? { id: request.id, ok: false, message: error.message, output: error.output }
      : { id: request.id, ok: false, message: errorMessage(error), output: '', internal: true }
  }
}

let queue = Promise.resolve()
process.on('message', (request: SnapshotRequest) => {
  if (request.type === 'load') {
    loadKit(request.kit).catch(() => {}) // a failure surfaces on the snapshot that needs it
    return
  }
  queue = queue.then(async () => {
    const reply = await answer(request)
    await new Promise<void>((resolve) => process.send!(reply, undefined, {}, () => resolve()))
    // Tracing for the kit's hints: exiting flushes V8's buffered trace into its file.
    if (process.argv.includes(RETIRE_AFTER_SNAPSHOT)) process.exit(0)
  })
})
// The host went away (or let this process go): nothing left to do.
process.on('disconnect', () => process.exit(0))
