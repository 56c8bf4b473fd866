// Guest paths → host paths. Guest paths are POSIX and relative to the project root; an
// absolute guest path ('/data/in.txt') is read relative to that same virtual root, so the
// guest never names a host path. `..` that would climb above the virtual root is refused.

import { join, posix } from 'node:path'
import { isPathInside } from '../../shared/path-inside.ts'

export interface GuestMount {
  /** Normalized guest directory ('.' = the virtual root). */
  alias: string
  /** Absolute host directory the alias stands for. */
  hostPath: string
}

export type NormalizedGuestPath =
  | { ok: true, path: string }
  | { ok: false, code: 'EINVAL' | 'ENOENT' | 'EACCES', reason: string }

/** `'./data//in.txt'`, `'/data/in.txt'` → `'data/in.txt'`; the root is `'.'`. */
export function normalizeGuestPath(input: unknown): NormalizedGuestPath {
  if (typeof input !== 'string') return { ok: false, code: 'EINVAL', reason: 'path must be a string' }
  if (input === '') return { ok: false, code: 'ENOENT', reason: 'empty path' }
  if (input.includes('\0')) return { ok: false, code: 'EINVAL', reason: 'path contains a NUL byte' }
  const relative = input.replace(/^\/+/, '')
  const normalized = posix.normalize(relative === '' ? '.' : relative).replace(/\/+$/, '')
  if (normalized === '..' || normalized.startsWith('../'))
    return { ok: false, code: 'EACCES', reason: 'path escapes the project root' }
  return { ok: true, path: normalized === '' ? '.' : normalized }
}

/** Maps a normalized guest path to a host path: the longest matching mount alias wins. */
export function guestToHostPath(guestPath: string, root: string, mounts: readonly GuestMount[]): string {
  let best: GuestMount | undefined
  for (const mount of mounts) {
    if (!isPathInside(guestPath, mount.alias, '/')) continue
    if (!best || mount.alias.length > best.alias.length || best.alias === '.') best = mount
  }
  if (!best) return guestPath === '.' ? root : join(root, guestPath)
  const rest = best.alias === '.' ? guestPath : guestPath.slice(best.alias.length + 1)
  return rest === '' || rest === '.' ? best.hostPath : join(best.hostPath, rest)
}
