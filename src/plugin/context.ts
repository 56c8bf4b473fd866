// The plugin's state and behaviour, independent of any bundler: resolve options (the project's
// capsule.config under the plugin's own), turn a task module into its proxy (compiling the guest,
// cached, with progress on the bundler's logger), remember what a build must emit, and list the
// output files (artifacts + manifest). The hooks in unplugin.ts and bundlers/* only call into this.
import { readFile } from 'node:fs/promises'
import { basename, posix, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TransformResult, UnpluginBuildContext, UnpluginContext } from 'unplugin'
import type { CompiledModule } from '../compile/index.ts'
import { importOptional, missingDependencyError } from '../runtime/optional-dependency.ts'
import type { CapsuleConfig } from '../types.ts'
import { writeCacheManifest } from './cache-manifest.ts'
import { compileProgress, describeProgress } from './build-progress.ts'
import { failTaskModule } from './errors.ts'
import { buildManifest, manifestJson } from './manifest.ts'
import { CapsuleConfigError, resolveOptions, type ResolvedCapsuleOptions } from './options.ts'
import { findConfigFile, loadConfigFile, mergeConfig } from './project-config.ts'
import { generateProxy, offsetOf, RUNTIME_ID, type ProxyTarget } from './proxy.ts'
import { taskModuleFilter } from './task-filter.ts'
import { sourceKey } from '../shared/display-path.ts'

export type Framework = 'vite' | 'rollup' | 'rolldown' | 'webpack' | 'esbuild' | (string & {})

export interface OutputAsset {
  fileName: string
  source: string | Uint8Array
}

type TransformContext = UnpluginBuildContext & UnpluginContext

/** The compiler is loaded on first use: creating the plugin (e.g. loading a vite.config) stays cheap. */
const loadCompiler = () => importOptional('compiling a task module', () => Promise.all([import('../compile/index.ts'), import('../compile/discover-tasks.ts')]))

/** This package's built files (the guest runtime is among a module's inputs, but never the user's to edit). */
const OWN_DIST = resolve(fileURLToPath(new URL('.', import.meta.url)))

/** An id without its query/hash, or null for virtual modules. */
export function fileOf(id: string): string | null {
  if (id.startsWith('\0') || id.startsWith('virtual:')) return null
  return id.replace(/[?#].*$/, '')
}

/** Where progress lines go: the bundler's own logger (set by its hooks), else stderr. */
export type ProgressLogger = (message: string) => void

const stderrLogger: ProgressLogger = (message) => process.stderr.write(`[unplugin-capsule] ${message}\n`)

export class CapsuleContext {
  private resolvedOptions: ResolvedCapsuleOptions | undefined
  private loading: Promise<ResolvedCapsuleOptions> | undefined
  private bundlerRoot = process.cwd()
  private selection: ((id: string) => boolean) | undefined
  /** Set by a bundler's hooks (Vite's logger, webpack's infrastructure logger, ...). */
  logger: ProgressLogger | undefined
  /** 'serve' under `vite dev` and Vitest: no emitFile, the proxies point into the cache. */
  mode: 'build' | 'serve' = 'build'
  /** Build mode: the compiled task modules by file, for the manifest. */
  private readonly compiled = new Map<string, CompiledModule>()
  /** Serve mode: an input file → the task modules whose guest bundle includes it. */
  private readonly dependents = new Map<string, Set<string>>()

  constructor(private readonly userOptions: CapsuleConfig, readonly framework: Framework) {}

  /** The output's module format when the bundler says it up front (webpack); else detected at run time. */
  outputFormat: 'webpack-esm' | 'cjs' | undefined

  setRoot(root: string): void {
    this.bundlerRoot = root
    this.resolvedOptions = undefined
    this.loading = undefined
    this.selection = undefined
  }

  /** The resolved options; call ready() first to include the project config. */
  get options(): ResolvedCapsuleOptions {
    this.resolvedOptions ??= resolveOptions(this.userOptions, this.bundlerRoot)
    return this.resolvedOptions
  }

  /**
   * Loads the project config (capsule.config.* in the root) once and resolves the options: the
   * plugin's own options override the file's, so `vite build` and `capsule build` agree.
   */
  ready(): Promise<ResolvedCapsuleOptions> {
    this.loading ??= this.loadOptions()
    return this.loading
  }

  private async loadOptions(): Promise<ResolvedCapsuleOptions> {
    const dir = resolve(this.bundlerRoot, this.userOptions.root ?? '.')
    const file = findConfigFile(dir)
    let config = this.userOptions
    if (file !== undefined) {
      const loaded = await loadConfigFile(file)
      try {
        resolveOptions(loaded.config, dir)
      } catch (error) {
        if (error instanceof CapsuleConfigError) throw new CapsuleConfigError(error.message.replace(/^unplugin-capsule: /, `unplugin-capsule: ${basename(file)}: `))
        throw error
      }
      config = mergeConfig(loaded.config, this.userOptions)
    }
    this.resolvedOptions = resolveOptions(config, this.bundlerRoot)
    return this.resolvedOptions
  }

  /** True when `id` is a task module under the resolved include/exclude (the CLI's filter too). */
  async isTaskModule(id: string): Promise<boolean> {
    const options = await this.ready()
    this.selection ??= taskModuleFilter(options)
    return this.selection(id)
  }

  /** True when this build writes artifacts and a manifest into its output. */
  get emits(): boolean {
    return this.mode === 'build' && this.options.manifest !== false
  }

  /** Validates the options (and the project config) as the build starts, so a bad default fails before any compile. */
  async start(): Promise<void> {
    await this.ready()
  }

  /** Progress of real compiles (not cache hits): one line as each starts, one when it is done. */
  private progressFor(ctx: TransformContext): (line: string) => void {
    const log = this.logger ?? nativeInfoLogger(ctx) ?? stderrLogger
    let announced = false
    return compileProgress((progress) => {
      if (progress.phase !== 'done') {
        if (announced) return // once as it starts (whichever phase that is), once when done
        announced = true
      }
      log(describeProgress(progress))
    })
  }

  /**
   * A build keeps the runtime external (the deployment installs unplugin-capsule; bundling it would
   * also lose its worker files). Serve mode leaves it to Vite, which runs installed packages natively.
   */
  resolveRuntime(): { id: string; external: true } | null {
    return this.mode === 'build' ? { id: RUNTIME_ID, external: true } : null
  }

  async transform(ctx: TransformContext, code: string, id: string): Promise<TransformResult> {
    const file = fileOf(id)
    if (file === null) return null
    const { root, cacheDir, defaults, manifest, buildTimeout } = await this.ready()
    const [{ compileModule }, { discoverTasks }] = await loadCompiler()
    let module: CompiledModule
    try {
      module = await compileModule(file, { root, cacheDir, defaults, buildTimeout, onEvent: this.progressFor(ctx) })
    } catch (error) {
      return failTaskModule(ctx, this.framework, missingDependencyError('compiling a task module', error) ?? error, file)
    }
    for (const input of module.inputs.map((path) => resolve(path))) {
      if (input === file || input.startsWith(OWN_DIST + sep)) continue
      ctx.addWatchFile(input)
      if (this.mode === 'serve') this.dependents.set(input, (this.dependents.get(input) ?? new Set()).add(file))
    }
    // Positions for the source map, from the code as the bundler has it (the artifact came from disk).
    let positions = new Map<string, number>()
    try {
      const found = discoverTasks(code, file, { root, defaults })
      positions = new Map(found.map((task) => [task.exportName, offsetOf(code, task.line, task.column)]))
    } catch {
      // an earlier plugin rewrote the module: map every export to its start
    }
    const source = sourceKey(module.source, root)
    let target: ProxyTarget
    if (this.emits && manifest !== false) {
      this.compiled.set(file, module)
      target = { kind: 'output', module: source, manifestName: manifest, format: this.outputFormat }
    } else {
      target = { kind: 'cache', module: source, manifest: await writeCacheManifest(module, root, cacheDir), root }
    }
    const tasks = module.tasks.map((task) => ({ exportName: task.exportName, name: task.policy.name, offset: positions.get(task.exportName) ?? 0 }))
    return generateProxy(code, id, tasks, target)
  }

  /** Serve mode: the task modules to recompile when `file` changes (besides `file` itself). */
  dependentsOf(file: string): string[] {
    return [...(this.dependents.get(resolve(file)) ?? [])].filter((dependent) => dependent !== resolve(file))
  }

  /** Drops what a previous build remembered (bundlers that re-run every load on rebuild). */
  reset(): void {
    this.compiled.clear()
  }

  /**
   * The artifacts and the manifest a build emits (file names relative to the output directory).
   * `bundled`, when the bundler can tell, limits them to task modules still in the output.
   */
  async outputAssets(bundled?: Set<string>): Promise<OutputAsset[]> {
    const name = this.options.manifest
    if (!this.emits || name === false) return []
    const modules = [...this.compiled].filter(([file]) => !bundled || bundled.has(file)).map(([, module]) => module)
    if (modules.length === 0) return []
    const prefix = posix.dirname(name) === '.' ? '' : `${posix.dirname(name)}/`
    const { manifest, files } = await buildManifest(modules, this.options.root, { kind: 'output' })
    const assets: OutputAsset[] = await Promise.all(files.map(async (file) => ({ fileName: prefix + file.fileName, source: await readFile(file.from) })))
    assets.push({ fileName: name, source: manifestJson(manifest) })
    return assets
  }
}

/** Rollup's and Rolldown's own info log (`this.info`), when the transform runs under one of them. */
function nativeInfoLogger(ctx: TransformContext): ProgressLogger | undefined {
  const native = ctx.getNativeBuildContext?.() as { framework?: string; context?: { info?: (message: string) => void } } | undefined
  if ((native?.framework !== 'rollup' && native?.framework !== 'rolldown') || typeof native.context?.info !== 'function') return undefined
  const context = native.context
  return (message) => context.info!(message)
}
