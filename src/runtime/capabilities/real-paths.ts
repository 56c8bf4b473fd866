// Host-side real path resolution for the file gate: symlinks resolved, and for paths that do
// not exist yet the nearest existing ancestor resolved with the missing tail appended.

import { lstatSync, realpathSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { errorCode } from './fs-errors.ts'

export type ResolvedHostPath =
  | { ok: true, real: string, exists: boolean }
  /** The path runs through a dangling or looping symlink: its target cannot be checked. */
  | { ok: false }

/** Resolves every symlink of `hostPath` (absolute), following the final component too. */
export function resolveRealPath(hostPath: string): ResolvedHostPath {
  const missing: string[] = []
  let current = hostPath
  for (;;) {
    try {
      const real = realpathSync.native(current)
      return { ok: true, real: missing.length ? join(real, ...missing.reverse()) : real, exists: missing.length === 0 }
    } catch (error) {
      const code = errorCode(error)
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { ok: false }
      if (code === 'ENOENT' && entryExists(current)) return { ok: false } // dangling symlink
      const parent = dirname(current)
      if (parent === current) return { ok: false }
      missing.push(basename(current))
      current = parent
    }
  }
}

/** Resolves the directory holding `hostPath` but not its final component (rm, rename). */
export function resolveRealEntry(hostPath: string): ResolvedHostPath {
  const parent = dirname(hostPath)
  if (parent === hostPath) return { ok: false }
  const resolvedParent = resolveRealPath(parent)
  if (!resolvedParent.ok) return resolvedParent
  const real = join(resolvedParent.real, basename(hostPath))
  return { ok: true, real, exists: resolvedParent.exists && entryExists(real) }
}

/** Whether a directory entry exists at `path` (a dangling symlink counts). */
function entryExists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}
