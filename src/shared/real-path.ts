// A path with its symlinks resolved (the OS's own answer, realpath(3)), or the path as given
// when it cannot be resolved (it does not exist yet): what containment checks compare.
import { realpathSync } from 'node:fs'

export function realOrSelf(path: string): string {
  try {
    return realpathSync.native(path)
  } catch {
    return path
  }
}
