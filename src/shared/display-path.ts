// How paths are named for people and in build outputs: relative to a base directory with POSIX
// separators, so messages, events, source maps and manifests read the same wherever the project
// sits and on every platform.

import { isAbsolute, relative, sep } from 'node:path'

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/')
}

/** `file` relative to `base` when it lies inside it (messages, events, mapped stacks); else `file` as given. */
export function displayPath(file: string, base: string): string {
  const inside = relative(base, file)
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? toPosix(inside) : file
}

/** A task module's key in manifests and proxies: its path relative to the project root, even outside it ('../x'). */
export function sourceKey(source: string, root: string): string {
  const rel = relative(root, source)
  return toPosix(rel && !isAbsolute(rel) ? rel : source)
}
