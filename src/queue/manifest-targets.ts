// The caller's side of a queued call: reads the manifest it names (no artifacts needed here),
// checks the task exists, and names both the way a worker will check them — the manifest by
// its sha256, the task as `module#name`. Remembered while the manifest file is unchanged.
import { CapsuleError } from '../runtime/errors.ts'
import { loadManifest } from '../runtime/manifest-load.ts'
import { selectTask } from '../runtime/manifest-select.ts'
import { manifestSha256 } from './jobs.ts'
import { fileStamp } from '../shared/file-stamp.ts'

export interface ManifestTarget {
  sha256: string
  /** `path/to/x.capsule.ts#name`: unambiguous on the worker. */
  spec: string
  /** The task's `name`. */
  taskName: string
  /** The module's source path, as events name it. */
  module: string
}

export class ManifestTargets {
  private readonly known = new Map<string, { stamp: string, sha256: string }>()

  resolve(manifestPath: string, task: string | undefined): ManifestTarget {
    const manifest = loadManifest(manifestPath)
    const { module, taskName } = selectTask(manifest, manifestPath, task)
    const entry = module.tasks.find((candidate) => candidate.name === taskName) ?? module.tasks.find((candidate) => candidate.export === taskName)
    if (!entry) {
      const known = module.tasks.map((candidate) => candidate.name).join(', ')
      throw new CapsuleError('TASK_NOT_FOUND', `unknown task "${taskName}" in ${module.source} (tasks: ${known})`)
    }
    return { sha256: this.sha256(manifestPath), spec: `${module.source}#${entry.name}`, taskName: entry.name, module: module.source }
  }

  private sha256(path: string): string {
    const stamp = fileStamp(path)
    const known = this.known.get(path)
    if (known?.stamp === stamp) return known.sha256
    const sha256 = manifestSha256(path)
    this.known.set(path, { stamp, sha256 })
    return sha256
  }
}
