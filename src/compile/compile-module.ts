// Compiles a task module into a runnable artifact: discover its tasks and their policies,
// bundle the guest, then snapshot it unless the cache already holds that exact input (a hash of
// the bundle, the toolchain versions and the WIT world). Everything else is per toolchain and
// built once (snapshot/kit-store.ts): the spliced engine the snapshot runs in, and the shared
// runnable engine, instrumented for fuel. A module's own artifact is only its snapshot, taken
// in a child process under a wall-clock budget (snapshot/snapshot-pool.ts).
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { formatBytes } from '../options/ram.ts'
import type { EngineArtifact, ModuleArtifact } from '../runtime/artifact.ts'
import { WASM_PAGE } from '../formats/task-data.ts'
import { bundleGuest, type GuestBundle } from './bundle-guest.ts'
import { compileOnce, defaultSlotsDir } from './cache-lock.ts'
import { ENGINE_META, engineFiles, SOURCE_MAP_FILE, TASK_DATA_FILE } from '../formats/layout.ts'
import { discoverTasks, type DiscoveredTask } from './discover-tasks.ts'
import { TaskModuleError } from './task-module-error.ts'
import { taskSignatures } from './task-signatures.ts'
import { guestSourceMap } from './guest-source-map.ts'
import { loadKit, type KitEvents, type LoadedKit } from './snapshot/kit-store.ts'
import { prewarmSnapshotWorker, SnapshotBudgetExceeded, SnapshotFailed, snapshotInWorker, type SnapshotResult } from './snapshot/snapshot-pool.ts'
import { mapTopLevelFailure } from './snapshot/top-level-error.ts'
import { rememberBundle, rememberedBundle } from './source-index.ts'
import { checkToolchainGrants } from './toolchain-grants.ts'
import { toolchainId } from './toolchain.ts'
import { compileSettings, resolvedCacheDir } from './cache-hit.ts'
import { MODULE_META } from './cache-layout.ts'
import { displayPath } from '../shared/display-path.ts'
import type { CompiledModule, CompileOptions } from './compile-options.ts'
/** Default wall-clock budget for a module's top-level code at build time. */
export const DEFAULT_BUILD_TIMEOUT_MS = 60_000

interface ModuleMeta {
  engineId: string
  engineKey: string
  memoryPages: number
  supportFiles: string[]
}

function cacheKey(code: string): string {
  return createHash('sha256').update(toolchainId()).update(code).digest('hex').slice(0, 32)
}

async function readCachedMeta(dir: string, cacheDir: string): Promise<ModuleMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, MODULE_META), 'utf8')) as ModuleMeta
    return existsSync(join(cacheDir, 'engines', meta.engineId, ENGINE_META)) ? meta : undefined
  } catch {
    return undefined
  }
}

/** A `ram` below the snapshot's size could never even start the engine: say so at build time. */
function checkRamFloor(tasks: DiscoveredTask[], memoryPages: number, shown: string): void {
  const minimum = memoryPages * WASM_PAGE
  for (const task of tasks) {
    if (task.policy.ram !== null && task.policy.ram < minimum) {
      const mib = Math.ceil((minimum / 1_048_576) * 10) / 10
      throw TaskModuleError.at(shown, task.line, task.column,
        `option "ram": ${formatBytes(task.policy.ram)} is too small to start the sandbox engine, which needs at least ${formatBytes(minimum)}; accepted: at least '${mib}MiB'`, 'ram')
    }
  }
}

interface SnapshotTarget {
  bundle: GuestBundle
  source: string
  shown: string
  root: string
  budgetMs: number
}

/** The machine's slots for snapshots, apart from the heavy ones the kit build takes. */
const SNAPSHOT_SLOTS = `${defaultSlotsDir()}-snapshots`

/** Kits whose build this process has already reported. */
const reportedKits = new WeakSet<object>()

const kitEvents = (emit: (line: string) => void): KitEvents => ({
  onBuild: () => emit('building the shared engine (once per toolchain)'),
  onWait: emit,
  onRejected: (reason) => emit(`not using the shared engine shipped with unplugin-capsule: ${reason}`),
})

/** Takes the module's snapshot and writes its cache entry (staged, then renamed into place). */
async function snapshotModule(target: SnapshotTarget, loadingKit: Promise<LoadedKit>, dir: string, emit: (line: string) => void): Promise<ModuleMeta> {
  const started = performance.now()
  // Staged from the start: a compile that dies midway leaves only this dir (see cache-lock.ts).
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(staging, { recursive: true })
  try {
    const kit = await loadingKit
    const kitReady = performance.now()
    let snapshot: SnapshotResult
    try {
      // The snapshot process writes task.data into the staging folder itself.
      snapshot = await snapshotInWorker(kit.ref, kit.meta.engineKey, target.bundle.code, join(staging, TASK_DATA_FILE), target.budgetMs)
    } catch (error) {
      throw topLevelError(error, target)
    }
    const snapshotDone = performance.now()
    const engine = await kit.engineReady
    const engineDone = performance.now()
    const ms = (from: number, to: number) => Math.round(to - from)
    if (kit.kitTimings && !reportedKits.has(kit)) {
      reportedKits.add(kit)
      // The engine's timings are the whole build's (the kit's stop where it was announced).
      emit(`built the snapshot kit (ms): ${Object.entries(engine.timings ?? kit.kitTimings).map(([step, ms]) => `${step} ${ms}`).join(', ')}`)
      // Instrumented alongside the other steps and this snapshot: only the wait past them counts.
      if (engine.built) emit(`instrumented the shared engine ${kit.meta.engineId} for fuel in ${engine.instrumentMs} ms (once per toolchain, alongside the other steps; the module then waited ${ms(snapshotDone, engineDone)} ms for it)`)
    } else if (kit.installed && !reportedKits.has(kit)) {
      reportedKits.add(kit)
      const { capsule, engineInstalled, ms: installMs } = kit.installed
      const shipped = `shipped with unplugin-capsule ${capsule} (toolchain ${toolchainId().slice(0, 12)}) in ${installMs} ms`
      emit(engineInstalled ? `installed the shared engine ${kit.meta.engineId} and its snapshot kit ${shipped}` : `installed the snapshot kit ${shipped}; reused the shared engine ${kit.meta.engineId}`)
    } else {
      emit(`reused the shared engine ${kit.meta.engineId} (not instrumented again)`)
    }
    const meta: ModuleMeta = { engineId: kit.meta.engineId, engineKey: kit.meta.engineKey, memoryPages: snapshot.memoryPages, supportFiles: kit.meta.supportFiles }
    await writeFile(join(staging, SOURCE_MAP_FILE), guestSourceMap(target.bundle.map, dirname(target.source), target.root))
    await writeFile(join(staging, MODULE_META), JSON.stringify(meta))
    await rm(dir, { recursive: true, force: true })
    await rename(staging, dir)
    emit(`compiled ${target.shown} in ${ms(started, performance.now())} ms (kit ${ms(started, kitReady)}, snapshot ${snapshot.timings.snapshot}, encode ${snapshot.timings.encode}, worker round trip ${ms(kitReady, snapshotDone) - snapshot.timings.snapshot - snapshot.timings.encode}, engine ${ms(snapshotDone, engineDone)}, write ${ms(engineDone, performance.now())})`)
    return meta
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
}

/** A failed snapshot as a build error at the task module's own file:line. */
function topLevelError(error: unknown, target: SnapshotTarget): Error {
  if (error instanceof SnapshotBudgetExceeded) return TaskModuleError.at(target.shown, 1, 1, error.message)
  if (!(error instanceof SnapshotFailed)) return error instanceof Error ? error : new Error(String(error))
  const failure = mapTopLevelFailure(error.output, error.message, target.bundle.map, dirname(target.source), target.root, target.shown)
  const at = failure.at ?? { file: target.shown, line: 1, column: 1 }
  const thrown = failure.thrownAt ? ` (thrown at ${failure.thrownAt.file}:${failure.thrownAt.line}:${failure.thrownAt.column})` : ''
  return TaskModuleError.at(at.file, at.line, at.column, `top-level code failed at build time: ${failure.message}${thrown}`)
}

export async function compileModule(file: string, options: CompileOptions): Promise<CompiledModule> {
  const source = resolve(options.root, file)
  const emit = options.onEvent ?? (() => {})
  const shown = displayPath(source, options.root)
  const text = await readFile(source, 'utf8')
  const tasks = discoverTasks(text, shown, { root: options.root, defaults: options.defaults })
  if (tasks.length === 0) {
    throw TaskModuleError.at(shown, 1, 1, 'no tasks found: export at least one `task({ name, ... }, fn)` made with task() from unplugin-capsule')
  }
  const cacheDir = resolvedCacheDir(options)
  checkToolchainGrants(tasks, resolve(options.root), cacheDir, shown)
  const budgetMs = options.buildTimeout ?? DEFAULT_BUILD_TIMEOUT_MS
  const { key, inputs, meta } = await cachedOrCompiled({ source, shown, root: options.root, budgetMs }, cacheDir, emit, options.onEngine)
  checkRamFloor(tasks, meta.memoryPages, shown)
  const signatures = taskSignatures(text, shown, tasks)
  const artifact: ModuleArtifact = {
    dir: join(cacheDir, 'components', key),
    files: [TASK_DATA_FILE, SOURCE_MAP_FILE],
    engine: { dir: join(cacheDir, 'engines', meta.engineId), files: engineFiles(meta.supportFiles), key: meta.engineKey },
    source,
    root: options.root,
    tasks: tasks.map(({ exportName, policy }) => ({ exportName, policy, signature: signatures.get(exportName) })),
  }
  // The next compile of unchanged inputs with these settings answers this without the compiler (cache-hit.ts).
  await rememberBundle(cacheDir, source, toolchainId(), key, inputs, { settings: compileSettings(options.root, cacheDir, options.defaults, artifact.tasks), module: artifact })
  return { ...artifact, inputs }
}

/** Tells `onEngine` which shared engine the module will run on, once the kit has it built. */
function announceEngine(kit: Promise<LoadedKit>, cacheDir: string, onEngine: (engine: EngineArtifact) => void): void {
  kit.then(async (loaded) => {
    await loaded.engineReady
    onEngine({ dir: join(cacheDir, 'engines', loaded.meta.engineId), files: engineFiles(loaded.meta.supportFiles), key: loaded.meta.engineKey })
  }).catch(() => {})
}

/** The module's artifact: from the cache (bundling only if an input changed), else snapshotted. */
async function cachedOrCompiled(target: Omit<SnapshotTarget, 'bundle'>, cacheDir: string, emit: (line: string) => void, onEngine?: (engine: EngineArtifact) => void) {
  const { source, shown } = target
  const tools = toolchainId()
  const remembered = await rememberedBundle(cacheDir, source, tools)
  if (remembered) {
    const meta = await readCachedMeta(join(cacheDir, 'components', remembered.key), cacheDir)
    if (meta) {
      emit(`cache hit: ${shown} (${remembered.key}, inputs unchanged)`)
      return { ...remembered, meta }
    }
  }
  // Likely a snapshot ahead: load the kit and have a snapshot process read it while esbuild bundles.
  const kit = loadKit(cacheDir, tools, kitEvents(emit))
  kit.catch(() => {})
  prewarmSnapshotWorker(kit.then((loaded) => loaded.ref))
  emit(`bundling ${shown}`)
  const bundleStarted = performance.now()
  const bundle = await bundleGuest(source, dirname(source), resolve(target.root))
  const bundleMs = Math.round(performance.now() - bundleStarted)
  // Only now: in a new process the sandbox worker's start and the engine's compile then use the
  // core this thread leaves idle while the snapshot runs, instead of competing with the snapshot
  // process's start and the bundler for the machine's cores (~50–70 ms sooner to the answer here).
  if (onEngine) announceEngine(kit, cacheDir, onEngine)
  const key = cacheKey(bundle.code)
  const dir = join(cacheDir, 'components', key)
  let meta = await readCachedMeta(dir, cacheDir)
  if (meta) emit(`cache hit: ${shown} (${key})`)
  else {
    // Once across processes (Vitest workers, a dev server, CLIs): see cache-lock.ts.
    meta = await compileOnce(cacheDir, dir, {
      cached: async () => {
        const built = await readCachedMeta(dir, cacheDir)
        if (built) emit(`cache hit: ${shown} (${key}), compiled by another process`)
        return built
      },
      build: () => {
        emit(`cache miss: ${shown} (${key}), taking its snapshot (bundled in ${bundleMs} ms)`)
        return snapshotModule({ ...target, bundle }, kit, dir, emit)
      },
    }, {
      onWait: (reason) => emit(`waiting to compile ${shown}: ${reason}`),
      // Snapshots are light (~0.2 s, ~100 MB) and may wait on the kit, whose build takes one of the
      // heavy slots: they get slots of their own, so the two never wait on each other.
      slotsDir: SNAPSHOT_SLOTS,
    })
  }
  return { key, inputs: bundle.inputs, meta }
}
