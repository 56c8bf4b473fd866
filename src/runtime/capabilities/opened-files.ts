// Race-free building blocks for the file gate: check what was OPENED, not what a path meant a
// moment earlier. A directory is opened first (an fd pins it), then the final name is opened
// or changed *inside that fd* through `/proc/self/fd/N/name` (Linux's openat for Node), with
// O_NOFOLLOW so a symlink swapped in at the last moment is refused, and O_NONBLOCK so a FIFO
// never blocks the thread. What an fd really is comes from `readlink(/proc/self/fd/N)` and
// `fstat`. Without /proc (not Linux), the fd's (dev, ino) must match a fresh real-path lookup:
// the same guarantee for files, checked after the open instead of by the kernel.

import { closeSync, constants, existsSync, fstatSync, openSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs'
import { join } from 'node:path'

const HAS_PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd')
/** O_PATH (Linux): an fd that names a file without opening it for I/O (never blocks, any type). */
const O_PATH = HAS_PROC_FD ? 0o10000000 : 0

export const FLAGS = {
  /** A directory to look up names in (or to stat). */
  dir: (O_PATH || constants.O_RDONLY) | constants.O_DIRECTORY,
  /** A directory to list. */
  listDir: constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK,
  /** A directory to list that must not be a symlink (walking a tree to remove it). */
  subDir: constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK | constants.O_NOFOLLOW,
  /** Any entry, for stat only: never blocks, never follows the final name. */
  probe: (O_PATH || constants.O_RDONLY | constants.O_NONBLOCK) | constants.O_NOFOLLOW,
  read: constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
  /** Never O_TRUNC at open: a file is truncated through its fd, after the check. */
  write: constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
  append: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK,
} as const

export interface OpenedDir {
  fd: number
  /** Where the directory really is (what the fd points at, not what the path said). */
  real: string
  /** A path for THIS directory itself (to list it), immune to later swaps of its path. */
  self: string
  /** The path to use for a name inside THIS directory, immune to later swaps of its path. */
  child(name: string): string
}

/** The real absolute path of what `fd` refers to; `expected` is the path it was opened by. */
export function openedPath(fd: number, expected: string): string {
  if (HAS_PROC_FD) return readlinkSync(`/proc/self/fd/${fd}`)
  const real = realpathSync.native(expected)
  const opened = fstatSync(fd)
  const there = statSync(real)
  if (opened.dev !== there.dev || opened.ino !== there.ino) {
    throw Object.assign(new Error('the path changed while it was opened'), { code: 'ESTALE' })
  }
  return real
}

/** Opens a directory (following the path as it is now) and says where it really is. */
export function openDir(path: string, flags: number = FLAGS.dir): OpenedDir {
  const fd = openSync(path, flags)
  try {
    const real = openedPath(fd, path)
    return {
      fd,
      real,
      self: HAS_PROC_FD ? `/proc/self/fd/${fd}` : real,
      child: (name) => (HAS_PROC_FD ? `/proc/self/fd/${fd}/${name}` : join(real, name)),
    }
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

export interface OpenedFile {
  fd: number
  real: string
  stats: Stats
}

/** Opens `path` (its final name not followed) and reads back what was opened. */
export function openEntry(path: string, flags: number): OpenedFile {
  const fd = openSync(path, flags, 0o666)
  try {
    return { fd, real: openedPath(fd, path), stats: fstatSync(fd) }
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

/** Closes `fd` if there is one, ignoring errors (cleanup on paths that already failed). */
export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return
  try {
    closeSync(fd)
  } catch {
    // already closed
  }
}
