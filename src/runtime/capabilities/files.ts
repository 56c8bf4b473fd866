// The per-call file system gate behind the guest's `fs` host imports.
// Every operation: normalize the guest path (absolute guest paths are relative to the
// project root, which is the guest's virtual root) → map it through the mounts → resolve the
// real host path → allow only inside the real path of a granted directory, and only in a 'rw'
// one for changes. Grants add up: a path covered by any 'rw' grant is writable.
// Grant roots are resolved ONCE, when the gate is made (once per call): a grant whose
// directory is (or has become) a symbolic link is refused for the whole call.
// The check and the use are one operation: the directory holding the entry is opened first
// and what was really opened is checked (opened-files.ts); the entry is then opened or changed
// inside that directory fd with O_NOFOLLOW, so swapping a symlink in between the check and the
// use changes nothing. Only regular files are read or written (a FIFO or a device would block
// or never end). A granted directory (or one holding it) is never removed, moved or replaced.
// rm and rename act on the directory entry itself: removing a symlink removes the link, never
// its target. Operations never throw.

import { ftruncateSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync, type Dirent, type Stats } from 'node:fs'
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path'
import type { FileGrant, ResolvedFileMode } from '../../options/policy.ts'
import { errorCode, fsErrorToFailure, fsFailure } from './fs-errors.ts'
import { guestToHostPath, normalizeGuestPath, type GuestMount } from './guest-paths.ts'
import { closeQuietly, FLAGS, openDir, openEntry, type OpenedDir } from './opened-files.ts'
import { resolveRealEntry, resolveRealPath } from './real-paths.ts'
import { succeed, type CapabilityFailure, type CapabilityResult } from './result.ts'
import { isPathInside } from '../../shared/path-inside.ts'
import { realOrSelf } from '../../shared/real-path.ts'

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

interface HostGrant { hostPath: string, mode: ResolvedFileMode, configured: boolean }
interface RealGrant { real: string, mode: ResolvedFileMode }
interface Access { guest: string, real: string, exists: boolean }

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

type GrantRoot = { ok: true, real: string } | { ok: false, symlink: boolean }

/**
 * The real directory of a grant under the project root, walked one name at a time without
 * following any: a component that is a symlink refuses the grant (it may have been swapped in
 * by another task since the build checked it). A missing tail is kept (it may be made later).
 */
function resolveGrantRoot(realRoot: string, hostPath: string): GrantRoot {
  const rel = relative(realRoot, hostPath)
  let current = realRoot
  const parts = rel === '' ? [] : rel.split(sep)
  for (let index = 0; index < parts.length; index++) {
    const next = join(current, parts[index]!)
    let stats: Stats
    try {
      stats = lstatSync(next)
    } catch {
      return { ok: true, real: join(next, ...parts.slice(index + 1)) }
    }
    if (stats.isSymbolicLink()) return { ok: false, symlink: true }
    if (!stats.isDirectory()) return { ok: false, symlink: false }
    current = next
  }
  return { ok: true, real: current }
}

export function createFileGate(options: FileGateOptions): FileGate {
  if (!isAbsolute(options.root)) throw new TypeError(`root must be absolute: '${options.root}'`)
  const root = resolve(options.root)
  const realRoot = realOrSelf(root)
  const mounts: GuestMount[] = []
  const hostGrants: HostGrant[] = []
  for (const grant of options.grants) {
    const path = normalizeConfigPath(grant.path, 'a file grant')
    hostGrants.push({ hostPath: path === '.' ? root : join(root, path), mode: grant.mode, configured: true })
  }
  for (const mount of options.mounts ?? []) {
    if (!isAbsolute(mount.hostPath)) throw new TypeError(`a mount's hostPath must be absolute: '${mount.hostPath}'`)
    const alias = normalizeConfigPath(mount.guestPath, "a mount's guestPath")
    mounts.push({ alias, hostPath: resolve(mount.hostPath) })
    hostGrants.push({ hostPath: resolve(mount.hostPath), mode: mount.mode, configured: false })
  }

  // Grant roots, resolved once for this call. A mount is the host user's own choice of
  // directory (its real path is taken as it is now); a configured grant must be a real
  // directory under the project root all the way down.
  const grants: RealGrant[] = []
  const refused: string[] = []
  for (const grant of hostGrants) {
    if (!grant.configured) {
      grants.push({ real: realOrSelf(grant.hostPath), mode: grant.mode })
      continue
    }
    const resolved = resolveGrantRoot(realRoot, join(realRoot, relative(root, grant.hostPath)))
    if (resolved.ok) grants.push({ real: resolved.real, mode: grant.mode })
    else if (resolved.symlink) refused.push(grant.hostPath)
  }

  let denials = 0
  function deny(operation: string, guest: string, detail?: string): CapabilityFailure {
    denials++
    return fsFailure('EACCES', operation, guest, true, detail)
  }

  /** Why `real` may not be used (read, or changed when `write`), or null when a grant covers it. */
  function refusalFor(real: string, write: boolean): string | null {
    const covering = grants.filter(grant => isPathInside(real, grant.real))
    if (covering.length === 0) return 'no file grant covers this path'
    if (write && !covering.some(grant => grant.mode === 'rw')) return 'read-only file grant'
    return null
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
    if (refused.some(grant => isPathInside(hostPath, grant)))
      return deny(operation, shown, 'the granted directory is a symbolic link')
    const resolved = how === 'follow' ? resolveRealPath(hostPath) : resolveRealEntry(hostPath)
    if (!resolved.ok) return deny(operation, shown, 'path resolves through a dangling symlink')
    const refusal = refusalFor(resolved.real, write)
    if (refusal) return deny(operation, shown, refusal)
    return { guest: shown, real: resolved.real, exists: resolved.exists }
  }

  /** Removing or replacing a granted directory (or a directory holding one) is refused. */
  function touchesGrantRoot(real: string): boolean {
    return grants.some(grant => isPathInside(grant.real, real))
  }

  /**
   * Opens the directory that holds `real`, re-checks the entry against the grants from where
   * that directory REALLY is, then runs `use` with the pinned directory and the entry's name.
   */
  function inParent<T>(operation: string, guest: string, real: string, write: boolean, use: (dir: OpenedDir, name: string, where: string) => CapabilityResult<T>): CapabilityResult<T> {
    let dir: OpenedDir | undefined
    try {
      dir = openDir(dirname(real))
      const name = basename(real)
      const where = join(dir.real, name)
      const refusal = refusalFor(where, write)
      if (refusal) return deny(operation, guest, refusal)
      return use(dir, name, where)
    } catch (error) {
      // open() of a FIFO with no reader (write side) or of a socket: not a regular file.
      if (errorCode(error) === 'ENXIO') return deny(operation, guest, 'not a regular file')
      return fsErrorToFailure(error, operation, guest)
    } finally {
      closeQuietly(dir?.fd)
    }
  }

  /** A regular file opened inside its checked directory; anything else is refused. */
  function openRegular(operation: string, guest: string, dir: OpenedDir, name: string, where: string, flags: number, write: boolean) {
    const opened = openEntry(dir.child(name), flags)
    const refusal = opened.real === where ? refusalFor(opened.real, write) : 'the path changed while it was checked'
    if (refusal) {
      closeQuietly(opened.fd)
      return deny(operation, guest, refusal)
    }
    if (opened.stats.isDirectory()) {
      closeQuietly(opened.fd)
      return fsFailure('EISDIR', operation, guest)
    }
    if (!opened.stats.isFile()) {
      closeQuietly(opened.fd)
      return deny(operation, guest, 'not a regular file')
    }
    return opened
  }

  /** Removes a directory tree entry by entry, each name opened inside its pinned parent. */
  function removeTree(parent: OpenedDir, name: string): void {
    const dir = openDir(parent.child(name), FLAGS.subDir)
    try {
      for (const entry of readdirSync(dir.self, { withFileTypes: true })) {
        if (entry.isDirectory()) removeTree(dir, entry.name)
        else unlinkSync(dir.child(entry.name))
      }
    } finally {
      closeQuietly(dir.fd)
    }
    rmdirSync(parent.child(name))
  }

  /** mkdir -p, one checked level at a time; levels above a rw grant root may be made for it. */
  function makeDirs(operation: string, guest: string, real: string): CapabilityResult<void> {
    const made = inParentForMkdir(operation, guest, real)
    if (made.ok || made.code !== 'ENOENT') return made
    const parent = dirname(real)
    if (parent === real) return made
    const above = makeDirs(operation, guest, parent)
    if (!above.ok) return above
    return inParentForMkdir(operation, guest, real)
  }

  function inParentForMkdir(operation: string, guest: string, real: string): CapabilityResult<void> {
    let dir: OpenedDir | undefined
    try {
      dir = openDir(dirname(real))
      const name = basename(real)
      const where = join(dir.real, name)
      const leadsToGrant = grants.some(grant => grant.mode === 'rw' && isPathInside(grant.real, where))
      const refusal = leadsToGrant ? null : refusalFor(where, true)
      if (refusal) return deny(operation, guest, refusal)
      try {
        mkdirSync(dir.child(name))
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error
        const existing = openEntry(dir.child(name), FLAGS.probe)
        closeQuietly(existing.fd)
        if (!existing.stats.isDirectory()) throw error
      }
      return succeed(undefined)
    } catch (error) {
      return fsErrorToFailure(error, operation, guest)
    } finally {
      closeQuietly(dir?.fd)
    }
  }

  return {
    get denials() {
      return denials
    },

    read(path) {
      const target = access('open', path, false, 'follow')
      if ('ok' in target) return target
      return inParent('open', target.guest, target.real, false, (dir, name, where) => {
        const opened = openRegular('open', target.guest, dir, name, where, FLAGS.read, false)
        if ('ok' in opened) return opened
        try {
          const buffer = readFileSync(opened.fd)
          return succeed(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength))
        } finally {
          closeQuietly(opened.fd)
        }
      })
    },

    write(path, data, append) {
      const target = access('open', path, true, 'follow')
      if ('ok' in target) return target
      if (!(data instanceof Uint8Array)) return fsFailure('EINVAL', 'open', target.guest, false, 'data must be bytes')
      return inParent('open', target.guest, target.real, true, (dir, name, where) => {
        const opened = openRegular('open', target.guest, dir, name, where, append ? FLAGS.append : FLAGS.write, true)
        if ('ok' in opened) return opened
        try {
          if (!append) ftruncateSync(opened.fd, 0)
          for (let offset = 0; offset < data.byteLength;) offset += writeSync(opened.fd, data, offset)
          return succeed(undefined)
        } finally {
          closeQuietly(opened.fd)
        }
      })
    },

    readdir(path) {
      const target = access('scandir', path, false, 'follow')
      if ('ok' in target) return target
      let dir: OpenedDir | undefined
      let listed: CapabilityResult<DirEntry[]>
      try {
        dir = openDir(target.real, FLAGS.listDir)
        const refusal = refusalFor(dir.real, false)
        if (refusal) return deny('scandir', target.guest, refusal)
        listed = succeed(readdirSync(dir.self, { withFileTypes: true }).map(entry => ({ name: entry.name, kind: kindOf(entry) })))
      } catch (error) {
        return fsErrorToFailure(error, 'scandir', target.guest)
      } finally {
        closeQuietly(dir?.fd)
      }
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
      return inParent('stat', target.guest, target.real, false, (dir, name) => {
        const opened = openEntry(dir.child(name), FLAGS.probe)
        closeQuietly(opened.fd)
        return succeed({ kind: kindOf(opened.stats), size: opened.stats.size, mtimeMs: opened.stats.mtimeMs })
      })
    },

    mkdir(path, recursive) {
      const target = access('mkdir', path, true, 'follow')
      if ('ok' in target) return target
      if (recursive) return makeDirs('mkdir', target.guest, target.real)
      return inParent('mkdir', target.guest, target.real, true, (dir, name) => {
        mkdirSync(dir.child(name))
        return succeed(undefined)
      })
    },

    rm(path, recursive, force) {
      const target = access('rm', path, true, 'entry')
      if ('ok' in target) return target
      if (touchesGrantRoot(target.real)) return deny('rm', target.guest, 'cannot remove a granted directory')
      return inParent('rm', target.guest, target.real, true, (dir, name, where) => {
        if (touchesGrantRoot(where)) return deny('rm', target.guest, 'cannot remove a granted directory')
        let entry: Stats
        try {
          entry = lstatSync(dir.child(name))
        } catch (error) {
          if (errorCode(error) === 'ENOENT') return force ? succeed(undefined) : fsFailure('ENOENT', 'rm', target.guest)
          throw error
        }
        // Without `recursive`, a directory is removed only when empty (rmdir semantics).
        if (!entry.isDirectory()) unlinkSync(dir.child(name))
        else if (recursive) removeTree(dir, name)
        else rmdirSync(dir.child(name))
        return succeed(undefined)
      })
    },

    rename(from, to) {
      const source = access('rename', from, true, 'entry')
      if ('ok' in source) return source
      const destination = access('rename', to, true, 'entry')
      if ('ok' in destination) return destination
      if (touchesGrantRoot(source.real)) return deny('rename', source.guest, 'cannot move a granted directory')
      if (touchesGrantRoot(destination.real)) return deny('rename', destination.guest, 'cannot replace a granted directory')
      return inParent('rename', source.guest, source.real, true, (fromDir, fromName, fromWhere) =>
        inParent('rename', destination.guest, destination.real, true, (toDir, toName, toWhere) => {
          if (touchesGrantRoot(fromWhere)) return deny('rename', source.guest, 'cannot move a granted directory')
          if (touchesGrantRoot(toWhere)) return deny('rename', destination.guest, 'cannot replace a granted directory')
          renameSync(fromDir.child(fromName), toDir.child(toName))
          return succeed(undefined)
        }))
    },
  }
}
