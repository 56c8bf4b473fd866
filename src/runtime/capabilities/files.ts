// The per-call file system gate behind the guest's `fs` host imports.
// Every operation: normalize the guest path (absolute guest paths are relative to the
// project root, which is the guest's virtual root) → map it through the mounts → resolve the
// real host path (symlinks followed; for missing paths the nearest existing ancestor) → allow
// only inside the real path of a granted directory, and only in a 'rw' one for changes.
// Grants add up: a path covered by any 'rw' grant is writable. A granted directory (or one
// holding it) is never removed, moved or replaced. rm and rename act on the directory entry
// itself: removing a symlink removes the link, never its target. Operations never throw.

import {
  appendFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync,
  rmSync, statSync, writeFileSync, type Dirent, type Stats,
} from 'node:fs'
import { isAbsolute, join, posix, resolve } from 'node:path'
import type { FileGrant, ResolvedFileMode } from '../../options/policy.ts'
import { fsErrorToFailure, fsFailure } from './fs-errors.ts'
import { guestToHostPath, normalizeGuestPath, type GuestMount } from './guest-paths.ts'
import { isInsideOrEqual, resolveRealEntry, resolveRealPath } from './real-paths.ts'
import { succeed, type CapabilityFailure, type CapabilityResult } from './result.ts'

export interface FileMount {
  /** Absolute host directory. */
  hostPath: string
  /** Guest directory it appears as, relative to the project root (e.g. 'data'). */
  guestPath: string
  mode: ResolvedFileMode
}

export interface FileGateOptions {
  /** Absolute project root: the guest's virtual root. */
  root: string
  grants: readonly FileGrant[]
  mounts?: readonly FileMount[]
}

export type FileKind = 'file' | 'directory' | 'symlink' | 'other'
export interface DirEntry { name: string, kind: FileKind }
export interface FileStat { kind: FileKind, size: number, mtimeMs: number }

export interface FileGate {
  read(path: string): CapabilityResult<Uint8Array>
  write(path: string, data: Uint8Array, append: boolean): CapabilityResult<void>
  readdir(path: string): CapabilityResult<DirEntry[]>
  stat(path: string): CapabilityResult<FileStat>
  mkdir(path: string, recursive: boolean): CapabilityResult<void>
  rm(path: string, recursive: boolean, force: boolean): CapabilityResult<void>
  rename(from: string, to: string): CapabilityResult<void>
  /** Policy denials so far (the runtime classifies an uncaught one as `permission_denied`). */
  readonly denials: number
}

interface HostGrant { hostPath: string, mode: ResolvedFileMode }
interface RealGrant { real: string, mode: ResolvedFileMode }
interface Access { guest: string, real: string, exists: boolean, grants: RealGrant[] }

function kindOf(entry: Stats | Dirent): FileKind {
  if (entry.isFile()) return 'file'
  if (entry.isDirectory()) return 'directory'
  if (entry.isSymbolicLink()) return 'symlink'
  return 'other'
}

function normalizeConfigPath(path: string, what: string): string {
  const normalized = normalizeGuestPath(path)
  if (!normalized.ok || isAbsolute(path)) throw new TypeError(`${what} must be a relative path inside the project root: '${path}'`)
  return normalized.path
}

export function createFileGate(options: FileGateOptions): FileGate {
  if (!isAbsolute(options.root)) throw new TypeError(`root must be absolute: '${options.root}'`)
  const root = resolve(options.root)
  const mounts: GuestMount[] = []
  const hostGrants: HostGrant[] = []
  for (const grant of options.grants) {
    const path = normalizeConfigPath(grant.path, 'a file grant')
    hostGrants.push({ hostPath: path === '.' ? root : join(root, path), mode: grant.mode })
  }
  for (const mount of options.mounts ?? []) {
    if (!isAbsolute(mount.hostPath)) throw new TypeError(`a mount's hostPath must be absolute: '${mount.hostPath}'`)
    const alias = normalizeConfigPath(mount.guestPath, "a mount's guestPath")
    mounts.push({ alias, hostPath: resolve(mount.hostPath) })
    hostGrants.push({ hostPath: resolve(mount.hostPath), mode: mount.mode })
  }

  let denials = 0
  function deny(operation: string, guest: string, detail?: string): CapabilityFailure {
    denials++
    return fsFailure('EACCES', operation, guest, true, detail)
  }

  /** Real paths of the granted directories, resolved now (they may change between calls). */
  function realGrants(): RealGrant[] {
    const result: RealGrant[] = []
    for (const grant of hostGrants) {
      const resolved = resolveRealPath(grant.hostPath)
      if (resolved.ok) result.push({ real: resolved.real, mode: grant.mode })
    }
    return result
  }

  /** `follow`: the path's target (read, write, ...); `entry`: the directory entry itself (rm, rename). */
  function access(operation: string, input: string, write: boolean, how: 'follow' | 'entry'): Access | CapabilityFailure {
    const shown = typeof input === 'string' ? input : String(input)
    const normalized = normalizeGuestPath(input)
    if (!normalized.ok) {
      if (normalized.code === 'EACCES') return deny(operation, shown, normalized.reason)
      return fsFailure(normalized.code, operation, shown, false, normalized.reason)
    }
    const hostPath = guestToHostPath(normalized.path, root, mounts)
    const resolved = how === 'follow' ? resolveRealPath(hostPath) : resolveRealEntry(hostPath)
    if (!resolved.ok) return deny(operation, shown, 'path resolves through a dangling symlink')
    const grants = realGrants()
    const covering = grants.filter(grant => isInsideOrEqual(resolved.real, grant.real))
    if (covering.length === 0) return deny(operation, shown, 'no file grant covers this path')
    if (write && !covering.some(grant => grant.mode === 'rw')) return deny(operation, shown, 'read-only file grant')
    return { guest: shown, real: resolved.real, exists: resolved.exists, grants }
  }

  /** Removing or replacing a granted directory (or a directory holding one) is refused. */
  function touchesGrantRoot(target: Access): boolean {
    return target.grants.some(grant => isInsideOrEqual(grant.real, target.real))
  }

  function guarded<T>(operation: string, guest: string, action: () => T): CapabilityResult<T> {
    try {
      return succeed(action())
    }
    catch (error) {
      return fsErrorToFailure(error, operation, guest)
    }
  }

  return {
    get denials() {
      return denials
    },

    read(path) {
      const target = access('open', path, false, 'follow')
      if ('ok' in target) return target
      return guarded('open', target.guest, () => {
        const buffer = readFileSync(target.real)
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      })
    },

    write(path, data, append) {
      const target = access('open', path, true, 'follow')
      if ('ok' in target) return target
      if (!(data instanceof Uint8Array)) return fsFailure('EINVAL', 'open', target.guest, false, 'data must be bytes')
      return guarded('open', target.guest, () => {
        if (append) appendFileSync(target.real, data)
        else writeFileSync(target.real, data)
      })
    },

    readdir(path) {
      const target = access('scandir', path, false, 'follow')
      if ('ok' in target) return target
      const listed = guarded('scandir', target.guest, () =>
        readdirSync(target.real, { withFileTypes: true }).map(entry => ({ name: entry.name, kind: kindOf(entry) })))
      if (!listed.ok) return listed
      // Mount aliases show up as directories in their guest parent.
      const guestDir = normalizeGuestPath(path)
      for (const mount of mounts) {
        if (!guestDir.ok || mount.alias === '.' || posix.dirname(mount.alias) !== guestDir.path) continue
        const name = posix.basename(mount.alias)
        if (!listed.value.some(entry => entry.name === name)) listed.value.push({ name, kind: 'directory' })
      }
      listed.value.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      return listed
    },

    stat(path) {
      const target = access('stat', path, false, 'follow')
      if ('ok' in target) return target
      return guarded('stat', target.guest, () => {
        const stats = statSync(target.real)
        return { kind: kindOf(stats), size: stats.size, mtimeMs: stats.mtimeMs }
      })
    },

    mkdir(path, recursive) {
      const target = access('mkdir', path, true, 'follow')
      if ('ok' in target) return target
      return guarded('mkdir', target.guest, () => {
        mkdirSync(target.real, { recursive })
      })
    },

    rm(path, recursive, force) {
      const target = access('rm', path, true, 'entry')
      if ('ok' in target) return target
      if (touchesGrantRoot(target)) return deny('rm', target.guest, 'cannot remove a granted directory')
      if (!target.exists) return force ? succeed(undefined) : fsFailure('ENOENT', 'rm', target.guest)
      return guarded('rm', target.guest, () => {
        // Without `recursive`, a directory is removed only when empty (rmdir semantics).
        if (!recursive && lstatSync(target.real).isDirectory()) rmdirSync(target.real)
        else rmSync(target.real, { recursive, force })
      })
    },

    rename(from, to) {
      const source = access('rename', from, true, 'entry')
      if ('ok' in source) return source
      const destination = access('rename', to, true, 'entry')
      if ('ok' in destination) return destination
      if (touchesGrantRoot(source)) return deny('rename', source.guest, 'cannot move a granted directory')
      if (touchesGrantRoot(destination)) return deny('rename', destination.guest, 'cannot replace a granted directory')
      return guarded('rename', source.guest, () => {
        renameSync(source.real, destination.real)
      })
    },
  }
}
