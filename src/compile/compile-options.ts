// What the compiler takes and answers for one task module: shared by the full compile
// (compile-module.ts) and the cache-hit path (cache-hit.ts), which must not import each other.
import type { EngineArtifact, ModuleArtifact } from '../runtime/artifact.ts'
import type { CapsuleOptions } from '../types.ts'

export interface CompileOptions {
  root: string
  cacheDir?: string
  defaults?: CapsuleOptions['defaults']
  /** Wall-clock budget (ms) for the module's top-level code at build time (default 60 s). */
  buildTimeout?: number
  /** Called with lifecycle lines (for `--verbose`). */
  onEvent?: (message: string) => void
  /**
   * Called, while a module is being compiled, with the shared engine it will run on as soon as
   * that is known and built: a runtime starts loading it then, in parallel with the snapshot.
   */
  onEngine?: (engine: EngineArtifact) => void
}

export interface CompiledModule extends ModuleArtifact {
  /** Every file that went into the guest bundle (for watch mode). */
  inputs: string[]
}
