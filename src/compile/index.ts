// The compiler's public face for the rest of the package (loaded lazily by the runtime/CLI).
// An unchanged module is answered from the cache without loading the compiler itself.
import { resolve } from 'node:path'
import { cachedModule, resolvedCacheDir } from './cache-hit.ts'
import { kitDir } from './snapshot/kit-files.ts'
import { startSnapshotProcess } from './snapshot/snapshot-pool.ts'
import { toolchainId } from './toolchain.ts'
import type { CompiledModule, CompileOptions } from './compile-options.ts'
import { displayPath } from '../shared/display-path.ts'

export type { CompiledModule, CompileOptions } from './compile-options.ts'
export { defaultCacheDir } from './cache-layout.ts'

export async function compileModule(file: string, options: CompileOptions): Promise<CompiledModule> {
  const hit = await cachedModule(file, options, displayPath(resolve(options.root, file), options.root))
  if (hit) return hit
  // A real compile ahead: a snapshot process and the bundler's service start while the compiler
  // loads (the process is told which kit to read once the kit is known).
  startSnapshotProcess(kitDir(resolvedCacheDir(options), toolchainId()))
  void import('./bundle-guest.ts').then(({ prewarmBundler }) => prewarmBundler(), () => {})
  const { compileModule: compile } = await import('./compile-module.ts')
  return compile(file, options)
}
