// Which files are task modules, in one place for the plugin's transform hook and the CLI
// (`capsule build`, `capsule mcp` without files): the `include`/`exclude` patterns go through
// unplugin-utils' createFilter (picomatch with `dot`, exclude first — the engine of unplugin's and
// Rollup's filters), with relative globs resolved against the project root (not the process's
// cwd), so `vite build` and `capsule build` select the same files. The CLI walks the root with
// tinyglobby and keeps what the same filter accepts.
import { glob } from 'tinyglobby'
import { createFilter } from 'unplugin-utils'
import type { FilterPattern } from './options.ts'

export interface TaskModuleSelection {
  include: FilterPattern
  exclude: FilterPattern | undefined
  /** Absolute: where relative globs start (the project root). */
  root: string
}

/**
 * Any JS/TS module id, the only kind a task module can be: the bundler-side prefilter of the
 * transform hook (cheap, native in Rolldown), before taskModuleFilter() decides with the resolved
 * options (the project's capsule.config included, which is only read once the build starts).
 */
export const SCRIPT_ID: RegExp = /\.[cm]?[jt]sx?(?:[?#].*)?$/

/** Directories a walk for task modules never enters: dependencies and build or coverage output. */
const SKIPPED_DIRS = ['**/node_modules/**', '**/dist/**', '**/coverage/**']

/** An id (a path, maybe with a query) → true when it is a task module under these patterns. */
export function taskModuleFilter({ include, exclude, root }: TaskModuleSelection): (id: string) => boolean {
  const accepts = createFilter(include, exclude, { resolve: root })
  return (id) => !id.startsWith('\0') && accepts(id.replace(/[?#].*$/, ''))
}

/** Every task module under the root, sorted; dot dirs, node_modules, dist and coverage are not searched. */
export async function findTaskModules(selection: TaskModuleSelection): Promise<string[]> {
  const isTaskModule = taskModuleFilter(selection)
  const files = await glob('**/*', { cwd: selection.root, absolute: true, dot: false, ignore: SKIPPED_DIRS })
  return files.filter(isTaskModule).sort()
}
