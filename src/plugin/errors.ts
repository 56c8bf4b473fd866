// A task module that cannot become a proxy fails the build, with the bundler's own error
// reporting: `file:line:column: option "ram": 'lots' is not a valid size; accepted: ...`.
import type { UnpluginContext } from 'unplugin'
import { errorMessage } from '../shared/error-message.ts'
import { TaskModuleError } from '../compile/task-module-error.ts'

/**
 * Fails the build for a task module. Rollup, Rolldown and Vite get the error through `this.error`
 * (it throws, with `loc` for their code frames); esbuild through the plugin's `errors` (with a
 * location, the module's contents left empty); webpack as a thrown loader error (a failed module).
 * Returns only for esbuild: the (empty) transform result.
 */
export function failTaskModule(ctx: UnpluginContext, framework: string, error: unknown, file: string): { code: string } {
  const message = error instanceof TaskModuleError
    ? `unplugin-capsule: ${error.message}`
    : `unplugin-capsule: cannot compile ${file}: ${errorMessage(error)}`
  // Rollup-style location: 1-based line, 0-based column.
  const loc = error instanceof TaskModuleError ? { file, line: error.line, column: error.column - 1 } : undefined
  if (framework === 'vite' || framework === 'rollup' || framework === 'rolldown' || framework === 'esbuild') {
    ctx.error({ message, id: file, ...(loc ? { loc } : {}) })
    if (framework === 'esbuild') return { code: '' }
  }
  throw Object.assign(new Error(message), loc ? { loc, id: file } : { id: file })
}
