// A path with its symlinks followed, or the path itself when it does not exist (yet).
import { realpathSync } from 'node:fs'

export function realOrSelf(path: string): string {
  try {
    return realpathSync.native(path)
  } catch {
    return path
  }
}
