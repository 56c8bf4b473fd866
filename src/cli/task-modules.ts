// Finding and compiling task modules for the CLI (`build`, and `run` with project defaults).
// The compiler is imported here lazily: `exec` and `inspect <manifest>` never load it, and an
// install without the build toolchain (--omit=optional) gets a one-line reason naming it.
import type { CompiledModule } from '../compile/index.ts'
import { importOptional, missingDependencyError } from '../runtime/optional-dependency.ts'
import type { ProjectConfig } from './config.ts'
import { UsageError } from './usage-error.ts'
import { errorMessage } from '../shared/error-message.ts'
import { TaskModuleError } from '../compile/task-module-error.ts'

/** Selected as the plugin selects them (plugin/task-filter.ts): the same include/exclude engine. */
export { findTaskModules } from '../plugin/task-filter.ts'

/** Compiles task modules (cached); a bad option or a build failure becomes a one-line UsageError. */
export async function compileTaskModules(files: string[], config: ProjectConfig, onEvent?: (line: string) => void): Promise<CompiledModule[]> {
  const { compileModule } = await importOptional('compiling a task module', () => import('../compile/index.ts'))
  const compiled: CompiledModule[] = []
  for (const file of files) {
    try {
      compiled.push(await compileModule(file, { root: config.root, cacheDir: config.cacheDir, defaults: config.defaults, buildTimeout: config.buildTimeout, onEvent }))
    } catch (error) {
      const missing = missingDependencyError('compiling a task module', error)
      if (missing) throw missing
      const message = errorMessage(error)
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`cannot read task module ${file}: no such file`)
      throw new UsageError(error instanceof TaskModuleError ? message : `cannot compile ${file}: ${message}`)
    }
  }
  return compiled
}
