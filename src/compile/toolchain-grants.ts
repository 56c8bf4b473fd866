// Refuses, at build time, a file grant that reaches the toolchain's own files: the compile
// cache (whose glue module the host later imports: rw there is host code execution) and
// node_modules (the host's own code). A grant is refused when it contains either of them
// (e.g. '.', the root of both) or lies inside one, after following symlinks.
import { join, relative } from 'node:path'
import type { DiscoveredTask } from './discover-tasks.ts'
import { TaskModuleError } from './task-module-error.ts'
import { isPathInside } from '../shared/path-inside.ts'
import { realOrSelf } from '../shared/real-path.ts'

/** Throws a file:line error for the first grant that contains or lies in the cache or node_modules. */
export function checkToolchainGrants(tasks: DiscoveredTask[], root: string, cacheDir: string, shown: string): void {
  const protectedDirs = [
    { dir: realOrSelf(join(root, 'node_modules')), what: 'node_modules' },
    { dir: realOrSelf(cacheDir), what: `the compile cache (${relative(root, cacheDir) || cacheDir})` },
  ]
  for (const task of tasks) {
    for (const grant of task.policy.files) {
      const granted = realOrSelf(join(root, grant.path))
      const segments = relative(realOrSelf(root), granted).split(/[\\/]/)
      const hit = protectedDirs.find(({ dir }) => isPathInside(dir, granted) || isPathInside(granted, dir))
      const what = hit?.what ?? (segments.includes('node_modules') ? 'node_modules' : undefined)
      if (what) {
        throw TaskModuleError.at(shown, task.line, task.column,
          `option "allowedFiles": '${grant.path}' would give the task access to ${what}, which holds code the host runs; grant a directory that contains neither (e.g. 'data')`,
          'allowedFiles')
      }
    }
  }
}
