// Where the compile cache keeps things: the default cache folder and each module's metadata
// file. Light on purpose: the cache-hit path (cache-hit.ts) reads it without loading the compiler.
import { join } from 'node:path'

/** A compiled module's own record in its cache folder (engine id, memory pages, support files). */
export const MODULE_META = 'module.json'

export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'capsule')
}
