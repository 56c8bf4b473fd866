// The compiler's fast path: a task module whose inputs (every file its guest bundle read), the
// toolchain and the compile settings (project root, cache folder, project defaults) are exactly
// as when it was last compiled answers the artifact remembered then, without loading the
// compiler (oxc, esbuild, the snapshot kit). This is what a cached `capsule run` and an
// unchanged module in a dev server or Vitest pay: a few stats and one small JSON read.
// The settings include where every file grant, node_modules and the cache lead after symlinks:
// if one moved, the full compile runs again and re-checks the grants (toolchain-grants.ts).
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ENGINE_META } from '../formats/layout.ts'
import type { ModuleArtifact } from '../runtime/artifact.ts'
import type { CompiledModule, CompileOptions } from './compile-options.ts'
import { defaultCacheDir, MODULE_META } from './cache-layout.ts'
import { realOrSelf } from '../shared/real-path.ts'
import { rememberedBundle } from './source-index.ts'
import { toolchainId } from './toolchain.ts'

/** What besides the inputs shapes a compiled module's answer (its tasks' policies, its folders, its grant checks). */
export function compileSettings(root: string, cacheDir: string, defaults: CompileOptions['defaults'], tasks: ModuleArtifact['tasks']): string {
  const grants = tasks.flatMap((task) => task.policy.files.map((grant) => realOrSelf(join(root, grant.path))))
  return JSON.stringify([resolve(root), cacheDir, defaults ?? null, realOrSelf(join(root, 'node_modules')), realOrSelf(cacheDir), grants])
}

export function resolvedCacheDir(options: Pick<CompileOptions, 'root' | 'cacheDir'>): string {
  return resolve(options.root, options.cacheDir ?? defaultCacheDir(options.root))
}

/** The remembered compile of `file`, when nothing that shaped it changed; else undefined. */
export async function cachedModule(file: string, options: CompileOptions, shown: string): Promise<CompiledModule | undefined> {
  const cacheDir = resolvedCacheDir(options)
  const remembered = await rememberedBundle(cacheDir, resolve(options.root, file), toolchainId())
  const compiled = remembered?.compiled
  if (!remembered || !compiled || compiled.settings !== compileSettings(options.root, cacheDir, options.defaults, compiled.module.tasks)) return undefined
  if (!existsSync(join(compiled.module.dir, MODULE_META)) || !existsSync(join(compiled.module.engine.dir, ENGINE_META))) return undefined
  options.onEvent?.(`cache hit: ${shown} (${remembered.key}, inputs unchanged)`)
  return { ...compiled.module, inputs: remembered.inputs }
}
