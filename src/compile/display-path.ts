// The path users see in build messages: relative to the project root when inside it.
import { isAbsolute, relative } from 'node:path'

export function displayPath(file: string, root: string): string {
  const inside = relative(root, file)
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : file
}
