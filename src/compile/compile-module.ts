// Compiles a task module into a runnable artifact: discover its tasks and their policies,
// bundle the guest, then componentize + transpile unless the cache already holds that exact
// input (a hash of the bundle, the toolchain versions and the WIT world).
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { CapsuleOptions } from '../types.ts'
import type { ModuleArtifact } from '../runtime/artifact.ts'
import { bundleGuest } from './bundle-guest.ts'
import { componentizeInWorker } from './componentize.ts'
import { discoverTasks, TaskModuleError } from './discover-tasks.ts'
import { DISABLED_FEATURES, toolchain } from './toolchain.ts'
import { WIT_FILE } from './guest-files.ts'

/** Bump when the layout of a cached component changes. */
const CACHE_FORMAT = 1

export interface CompileOptions {
  root: string
  cacheDir?: string
  defaults?: CapsuleOptions['defaults']
  /** Called with lifecycle lines (for `--verbose`). */
  onEvent?: (message: string) => void
}

export interface CompiledModule extends ModuleArtifact {
  cacheHit: boolean
  /** Every file that went into the guest bundle (for watch mode). */
  inputs: string[]
}

export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'capsule')
}

function cacheKey(code: string): string {
  const tools = toolchain()
  return createHash('sha256')
    .update(JSON.stringify({ CACHE_FORMAT, componentizeJs: tools.componentizeJs, jco: tools.jco, features: DISABLED_FEATURES }))
    .update(tools.world)
    .update(code)
    .digest('hex')
    .slice(0, 32)
}

/** What the runtime needs from a cached component: the glue and its core modules. */
async function artifactFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name === 'component.js' || name.endsWith('.wasm')).sort()
}

/** The path users see in messages: relative to the project root when inside it. */
function displayPath(file: string, root: string): string {
  const inside = relative(root, file)
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : file
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
  const bundle = await bundleGuest(source, options.root)
  const key = cacheKey(bundle.code)
  const cacheDir = resolve(options.root, options.cacheDir ?? defaultCacheDir(options.root))
  const dir = join(cacheDir, 'components', key)
  const taskList = tasks.map(({ exportName, policy }) => ({ exportName, policy }))
  const base = { dir, source, root: options.root, tasks: taskList, inputs: bundle.inputs }
  if (existsSync(join(dir, 'component.js'))) {
    emit(`cache hit: ${shown} (${key})`)
    return { ...base, files: await artifactFiles(dir), cacheHit: true }
  }
  emit(`cache miss: ${shown} (${key}), componentizing`)
  const started = performance.now()
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(staging, { recursive: true })
  try {
    // wizer maps the source's real directory: a symlinked cache path (e.g. node_modules) fails.
    const sourcePath = join(await realpath(staging), 'guest.js')
    await writeFile(sourcePath, bundle.code)
    await componentizeInWorker({
      sourcePath,
      witPath: WIT_FILE,
      outDir: staging,
      tmpRoot: join(cacheDir, 'tmp'),
      disableFeatures: DISABLED_FEATURES,
    })
    await rm(dir, { recursive: true, force: true })
    await rename(staging, dir)
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
  emit(`compiled ${shown} in ${Math.round(performance.now() - started)} ms`)
  return { ...base, files: await artifactFiles(dir), cacheHit: false }
}
