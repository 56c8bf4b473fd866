// A file's stamp: what "unchanged since" checks compare instead of re-reading the file. It holds
// the device, inode, size, and mtime and ctime in nanoseconds: any write moves the ctime, which
// only the kernel sets, and a replacement by rename moves the inode, so an unchanged stamp means
// unchanged bytes.

import { statSync, type BigIntStats } from 'node:fs'

/** The stamp of a file that cannot be stat'ed. */
export const MISSING_STAMP = 'missing'

/** The stamp of stats already taken (with `{ bigint: true }`). */
export function statsStamp(stats: Pick<BigIntStats, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`
}

/** The stamp of `path` now, or MISSING_STAMP when it cannot be stat'ed. */
export function fileStamp(path: string): string {
  try {
    return statsStamp(statSync(path, { bigint: true }))
  } catch {
    return MISSING_STAMP
  }
}

/** One stamp for several files (in order): it moves when any of them does. */
export function filesStamp(paths: readonly string[]): string {
  return paths.map(fileStamp).join('|')
}
