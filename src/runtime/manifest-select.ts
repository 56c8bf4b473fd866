// Choosing a task in a manifest: `path/to/x.capsule.ts#name`, or a bare name when exactly one
// module holds it. Errors (TASK_NOT_FOUND) list every task the manifest has.
import type { Manifest, ManifestModule } from '../formats/manifest.ts'
import { CapsuleError } from './errors.ts'

/** Normalizes a module reference: POSIX separators, no leading './'. */
function normalizeSource(source: string): string {
  return source.replace(/\\/g, '/').replace(/^(\.\/)+/, '')
}

/** Splits `path/to/x.capsule.ts#name` (or `name`) and finds the module it refers to. */
export function selectTask(manifest: Manifest, manifestPath: string, task: string | undefined): { module: ManifestModule; taskName: string } {
  const spec = task ?? 'main'
  const hash = spec.lastIndexOf('#')
  const listing = () => manifest.modules.flatMap((module) => module.tasks.map((entry) => `${module.source}#${entry.name}`)).join(', ')
  if (hash >= 0) {
    const source = normalizeSource(spec.slice(0, hash))
    const taskName = spec.slice(hash + 1) || 'main'
    const module = manifest.modules.find((candidate) => normalizeSource(candidate.source) === source)
    if (!module) throw new CapsuleError('TASK_NOT_FOUND', `no task module "${source}" in ${manifestPath} (tasks: ${listing()})`)
    return { module, taskName }
  }
  if (manifest.modules.length === 1) return { module: manifest.modules[0]!, taskName: spec }
  const holders = manifest.modules.filter((module) => module.tasks.some((entry) => entry.name === spec || entry.export === spec))
  if (holders.length === 1) return { module: holders[0]!, taskName: spec }
  throw new CapsuleError('TASK_NOT_FOUND', holders.length === 0
    ? `unknown task "${spec}" in ${manifestPath} (tasks: ${listing()})`
    : `task "${spec}" is ambiguous in ${manifestPath}: name it as module#task (tasks: ${listing()})`)
}
