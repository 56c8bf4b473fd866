// Compiles a task module into a runnable artifact: discover its tasks and their policies,
// bundle the guest, then componentize + transpile + split unless the cache already holds that
// exact input (a hash of the bundle, the toolchain versions and the WIT world). The shared
// engine is instrumented once per toolchain; a module's own artifact is only its snapshot.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { formatBytes } from '../options/ram.ts'
import type { CapsuleOptions } from '../types.ts'
import type { ModuleArtifact } from '../runtime/artifact.ts'
import { WASM_PAGE } from '../runtime/engine/task-data.ts'
import { bundleGuest } from './bundle-guest.ts'
import { compileOnce } from './cache-lock.ts'
import { componentizeInWorker } from './componentize.ts'
import type { ComponentizeResult } from './componentize-worker.ts'
import { ENGINE_META, engineFiles, SOURCE_MAP_FILE, TASK_DATA_FILE } from '../runtime/engine/layout.ts'
import { discoverTasks, TaskModuleError, type DiscoveredTask } from './discover-tasks.ts'
import { taskSignatures } from './task-signatures.ts'
import { WIT_FILE } from './guest-files.ts'
import { guestSourceMap } from './guest-source-map.ts'
import { topLevelError } from './top-level-error.ts'
import { INSTRUMENTATION_VERSION, MIN_REGION } from './engine/instrumentation.ts'
import { rememberBundle, rememberedBundle } from './source-index.ts'
import { DISABLED_FEATURES, toolchain } from './toolchain.ts'

/** Bump when the layout of a cached module changes. */
const CACHE_FORMAT = 3
const MODULE_META = 'module.json'

export interface CompileOptions {
  root: string
  cacheDir?: string
  defaults?: CapsuleOptions['defaults']
  /** Called with lifecycle lines (for `--verbose`). */
  onEvent?: (message: string) => void
}

export interface CompiledModule extends ModuleArtifact {
  /** Every file that went into the guest bundle (for watch mode). */
  inputs: string[]
}

type ModuleMeta = Pick<ComponentizeResult, 'engineId' | 'engineKey' | 'memoryPages' | 'supportFiles'>

export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'capsule')
}

/** Everything besides the bundle that shapes an artifact: versions, world, instrumentation. */
function toolchainId(): string {
  const tools = toolchain()
  return createHash('sha256')
    .update(JSON.stringify({
      CACHE_FORMAT, componentizeJs: tools.componentizeJs, jco: tools.jco, features: DISABLED_FEATURES,
      instrumentation: INSTRUMENTATION_VERSION, minRegion: MIN_REGION,
    }))
    .update(tools.world)
    .digest('hex')
}

function cacheKey(code: string): string {
  return createHash('sha256').update(toolchainId()).update(code).digest('hex').slice(0, 32)
}

/** The path users see in messages: relative to the project root when inside it. */
function displayPath(file: string, root: string): string {
  const inside = relative(root, file)
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : file
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

async function componentizeModule(bundleCode: string, sourceMap: string, dir: string, cacheDir: string, emit: (line: string) => void, shown: string): Promise<ModuleMeta> {
  const started = performance.now()
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(staging, { recursive: true })
  try {
    // wizer maps the source's real directory: a symlinked cache path (e.g. node_modules) fails.
    const sourcePath = join(await realpath(staging), 'guest.js')
    await writeFile(sourcePath, bundleCode)
    const result = await componentizeInWorker({
      sourcePath,
      witPath: WIT_FILE,
      outDir: staging,
      cacheDir,
      tmpRoot: join(cacheDir, 'tmp'),
      disableFeatures: DISABLED_FEATURES,
    })
    const meta: ModuleMeta = { engineId: result.engineId, engineKey: result.engineKey, memoryPages: result.memoryPages, supportFiles: result.supportFiles }
    await writeFile(join(staging, SOURCE_MAP_FILE), sourceMap)
    await writeFile(join(staging, MODULE_META), JSON.stringify(meta))
    await rm(dir, { recursive: true, force: true })
    await rename(staging, dir)
    emit(result.engineBuilt
      ? `instrumented the shared engine ${result.engineId} for fuel in ${result.instrumentMs} ms (once per toolchain)`
      : `reused the shared engine ${result.engineId} (not instrumented again)`)
    emit(`compiled ${shown} in ${Math.round(performance.now() - started)} ms`)
    return meta
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw topLevelError(error, sourceMap) ?? error
  }
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
  const cacheDir = resolve(options.root, options.cacheDir ?? defaultCacheDir(options.root))
  const { key, inputs, meta } = await cachedOrCompiled(source, options.root, cacheDir, emit, shown)
  checkRamFloor(tasks, meta.memoryPages, shown)
  const signatures = taskSignatures(text, shown, tasks)
  return {
    dir: join(cacheDir, 'components', key),
    files: [TASK_DATA_FILE, SOURCE_MAP_FILE],
    engine: { dir: join(cacheDir, 'engines', meta.engineId), files: engineFiles(meta.supportFiles), key: meta.engineKey },
    source,
    root: options.root,
    tasks: tasks.map(({ exportName, policy }) => ({ exportName, policy, signature: signatures.get(exportName) })),
    inputs,
  }
}

/** The module's artifact: from the cache (bundling only if an input changed), else compiled. */
async function cachedOrCompiled(source: string, root: string, cacheDir: string, emit: (line: string) => void, shown: string) {
  const tools = toolchainId()
  const remembered = await rememberedBundle(cacheDir, source, tools)
  if (remembered) {
    const meta = await readCachedMeta(join(cacheDir, 'components', remembered.key), cacheDir)
    if (meta) {
      emit(`cache hit: ${shown} (${remembered.key}, inputs unchanged)`)
      return { ...remembered, meta }
    }
  }
  emit(`bundling ${shown}`)
  const bundle = await bundleGuest(source, dirname(source))
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
        emit(`cache miss: ${shown} (${key}), componentizing`)
        return componentizeModule(bundle.code, guestSourceMap(bundle.map, dirname(source), root), dir, cacheDir, emit, shown)
      },
    }, { onWait: (reason) => emit(`waiting to compile ${shown}: ${reason}`) })
  }
  await rememberBundle(cacheDir, source, tools, key, bundle.inputs)
  return { key, inputs: bundle.inputs, meta }
}
