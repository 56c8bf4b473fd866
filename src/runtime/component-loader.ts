// Makes fresh sandboxes in a worker: the engine's glue and compiled modules (posted by the main
// thread) plus one module's snapshot, decoded once. A sandbox gets its own memory, created with
// the task's `ram` as its maximum and filled with the snapshot's non-zero runs before the
// engine is instantiated on it, and its own fuel counter. A sandbox can be reset in place
// (sandbox-reset.ts) when the glue was patched at build time. A new instance may also be made
// on the memory of a dropped one (`recycledMemory`): every byte is put back to the snapshot
// first, so it starts exactly as on a new memory, without paying to fault in ~3 MB of fresh
// pages again (most of a new instance's cost on this kind of machine).
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  COUNTER_UNITS_PER_FUEL, decodeTaskData, ENGINE_IMPORT_MODULE, FUEL_EXPORT, MEMORY_IMPORT, resetTaskMemory, restoreGlobals, WASM_PAGE, writeTaskMemory,
  type TaskData,
} from '../formats/task-data.ts'
import { ENGINE_FILE, GLUE_FILE, MAIN_CORE, TASK_DATA_FILE } from '../formats/layout.ts'
import { ADAPTER_GLOBAL_PREFIX, GLUE_HOOK, type GlueHook } from '../formats/glue-hook.ts'
import { readFileMapped } from './mapped-file.ts'
import { memoize } from './promise-cache.ts'
import { resetInPlace, type ResetRefusal } from './sandbox-reset.ts'
import { formatBytes } from '../options/ram.ts'
import { writableMappings, WrittenPages } from '../shared/written-pages.ts'

const WASM32_MAX_PAGES = 65_536
/** Fuel available while the glue instantiates (not charged to the call). */
const SETUP_FUEL = 1n << 62n

type RootExports = { run(task: string, argsJson: string, contextJson: string): string; [GLUE_HOOK]?: GlueHook }
type Instantiate = (
  getCoreModule: (path: string) => WebAssembly.Module,
  imports: Record<string, unknown>,
  instantiateCore: (module: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.Instance,
) => RootExports

export interface LoadedEngine {
  key: string
  modules: Map<string, WebAssembly.Module>
  instantiate: Instantiate
}

export interface Sandbox {
  run(task: string, argsJson: string, contextJson: string): string
  memory: WebAssembly.Memory
  /** Memory cap in bytes (null: wasm32 maximum). */
  ram: number | null
  setFuel(fuel: number): void
  fuelLeft(): number
  /**
   * Puts the sandbox back to the state of a fresh one for the next call; answers null, or why it
   * could not (then it must not be used again). Only after a call that returned or failed cleanly.
   */
  reset(): ResetRefusal | null
  /**
   * The sandbox's memory for a new instance of the same module and `ram` once this one is
   * dropped, or undefined when it grew past the snapshot (a wasm memory never shrinks).
   */
  recyclableMemory(): WebAssembly.Memory | undefined
}

export class RamTooSmall extends Error {}

const engines = new Map<string, Promise<LoadedEngine>>()
const glues = new Map<string, Promise<{ instantiate: Instantiate }>>()
const snapshots = new Map<string, Promise<TaskData>>()

function importGlue(dir: string): Promise<{ instantiate: Instantiate }> {
  return memoize(glues, dir, () => import(pathToFileURL(join(dir, GLUE_FILE)).href) as Promise<{ instantiate: Instantiate }>)
}

/** Registers an engine whose modules the main thread compiled; its glue is imported once. */
export function registerEngine(dir: string, key: string, modules: Map<string, WebAssembly.Module>): void {
  void memoize(engines, dir, async () => ({ key, modules, instantiate: (await importGlue(dir)).instantiate }))
}

/** Starts loading a module's snapshot and its engine's glue before the engine arrives (errors surface on use). */
export function preload(engineDir: string, moduleDir: string): void {
  importGlue(engineDir).catch(() => {})
  loadSnapshot(moduleDir).catch(() => {})
}

export function loadEngine(dir: string): Promise<LoadedEngine> {
  const engine = engines.get(dir)
  if (!engine) return Promise.reject(new Error(`engine ${dir} was not registered with this worker`))
  return engine
}

/** A module's snapshot, decoded (not kept: see loadSnapshot). */
export async function readSnapshot(moduleDir: string): Promise<TaskData> {
  return decodeTaskData(await readFileMapped(join(moduleDir, TASK_DATA_FILE)))
}

/** A module's snapshot, decoded once per worker. */
export function loadSnapshot(moduleDir: string): Promise<TaskData> {
  return memoize(snapshots, moduleDir, () => readSnapshot(moduleDir))
}

/** Each sandbox memory's written pages, where they can be told (shared/written-pages.ts). */
const writtenPages = new WeakMap<WebAssembly.Memory, WrittenPages>()

/** A new memory, its mapping found while it is new, so resets can skip the pages never written. */
function newMemory(initial: number, maximum: number): WebAssembly.Memory {
  const before = writableMappings()
  const memory = new WebAssembly.Memory({ initial, maximum })
  const tracked = WrittenPages.locate(memory, before)
  if (tracked) writtenPages.set(memory, tracked)
  return memory
}

/**
 * A new instance of the engine on the module's snapshot. `recycledMemory` (from
 * `recyclableMemory()` of a dropped sandbox under the same ram cap, of this module or another) is
 * restored to this snapshot byte for byte and used instead of a new memory when it has its size.
 */
export function instantiateSandbox(engine: LoadedEngine, snapshot: TaskData, ram: number | null, imports: Record<string, unknown>, recycledMemory?: WebAssembly.Memory): Sandbox {
  if (snapshot.engineKey !== engine.key) {
    throw new Error(`the task artifact was built for engine ${snapshot.engineKey.slice(0, 12)}, not the loaded engine ${engine.key.slice(0, 12)}: rebuild it`)
  }
  const maximum = ram === null ? WASM32_MAX_PAGES : Math.floor(ram / WASM_PAGE)
  if (maximum < snapshot.memoryPages) {
    throw new RamTooSmall(`ram of ${formatBytes(ram ?? 0)} is below the ${formatBytes(snapshot.memoryPages * WASM_PAGE)} the sandbox engine needs to start`)
  }
  const engineModule = engine.modules.get(ENGINE_FILE)
  let core: WebAssembly.Instance | undefined
  let memory: WebAssembly.Memory | undefined
  const adapterGlobals: [WebAssembly.Global, number | bigint][] = []
  const root = engine.instantiate(
    (path) => {
      const module = engine.modules.get(path === MAIN_CORE ? ENGINE_FILE : path)
      if (!module) throw new Error(`the engine is missing core module ${path}`)
      return module
    },
    imports,
    (module, moduleImports) => {
      if (module !== engineModule) {
        const instance = new WebAssembly.Instance(module, moduleImports)
        for (const [name, value] of Object.entries(instance.exports)) {
          if (name.startsWith(ADAPTER_GLOBAL_PREFIX)) adapterGlobals.push([value as WebAssembly.Global, (value as WebAssembly.Global).value as number | bigint])
        }
        return instance
      }
      if (recycledMemory && recycledMemory.buffer.byteLength === snapshot.memoryPages * WASM_PAGE) {
        memory = recycledMemory
        resetTaskMemory(memory, snapshot, writtenPages.get(memory)?.read())
      } else {
        memory = newMemory(snapshot.memoryPages, maximum)
        writeTaskMemory(memory, snapshot)
      }
      core = new WebAssembly.Instance(module, { ...moduleImports, [ENGINE_IMPORT_MODULE]: { [MEMORY_IMPORT]: memory } })
      restoreGlobals(core, snapshot)
      const counter = core.exports[FUEL_EXPORT] as WebAssembly.Global | undefined
      if (counter) counter.value = SETUP_FUEL
      return core
    },
  )
  if (!core || !memory) throw new Error('the glue never instantiated the engine')
  const sandboxMemory: WebAssembly.Memory = memory
  // Only the bench's uninstrumented baseline engine lacks the counter.
  const fuel = core.exports[FUEL_EXPORT] as WebAssembly.Global | undefined
  const tracked = writtenPages.get(memory)
  const resettable = { memory, engine: core, snapshot, adapterGlobals, glue: root[GLUE_HOOK], writtenPages: () => tracked?.read() }
  return {
    run: (task, args, context) => root.run(task, args, context),
    memory,
    ram,
    setFuel: (value) => {
      if (fuel) fuel.value = BigInt(value) * BigInt(COUNTER_UNITS_PER_FUEL)
    },
    fuelLeft: () => (fuel ? Math.floor(Number(fuel.value as bigint) / COUNTER_UNITS_PER_FUEL) : Number.MAX_SAFE_INTEGER),
    reset: () => resetInPlace(resettable),
    recyclableMemory: () => (sandboxMemory.buffer.byteLength === snapshot.memoryPages * WASM_PAGE ? sandboxMemory : undefined),
  }
}
