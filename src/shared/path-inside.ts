// Path containment, as a string test on normalized paths (no file system access): absolute
// host paths with the platform's separator, or POSIX paths relative to a root where '.' is the
// root itself (guest paths, file grants).

import { sep as platformSep } from 'node:path'

/** Whether `child` is `parent` or inside it. Both normalized, with `separator` between parts. */
export function isPathInside(child: string, parent: string, separator: string = platformSep): boolean {
  if (parent === '.') return true
  return child === parent || child.startsWith(parent.endsWith(separator) ? parent : parent + separator)
}
