// The environment a task sees: only the names its policy lists, each taken from the real
// environment first, else `.env.local`, else `.env` in the project root (util.parseEnv).
// Parsed files are cached by path and file stamp, so an edited file is read again.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { fileStamp, MISSING_STAMP } from '../../shared/file-stamp.ts'

const ENV_FILES = ['.env.local', '.env'] as const

interface CachedEnvFile { stamp: string, values: NodeJS.Dict<string> }
const cache = new Map<string, CachedEnvFile>()

/** Parsed variables of one env file; a missing or unreadable file counts as empty. */
function readEnvFile(path: string): NodeJS.Dict<string> {
  try {
    const stamp = fileStamp(path)
    const cached = cache.get(path)
    if (cached && cached.stamp === stamp) return cached.values
    const values = stamp === MISSING_STAMP ? {} : parseEnv(readFileSync(path, 'utf8'))
    cache.set(path, { stamp, values })
    return values
  } catch {
    cache.delete(path)
    return {}
  }
}

/** The visible variables, keyed in the order of `names`; names found nowhere are omitted. */
export function resolveEnv(
  names: readonly string[],
  root: string,
  processEnv: NodeJS.Dict<string> = process.env,
): Record<string, string> {
  if (names.length === 0) return {}
  const files = ENV_FILES.map(file => readEnvFile(join(root, file)))
  const entries: [string, string][] = []
  for (const name of names) {
    if (entries.some(([seen]) => seen === name)) continue
    let value = Object.hasOwn(processEnv, name) ? processEnv[name] : undefined
    for (const file of files) {
      if (value !== undefined) break
      value = Object.hasOwn(file, name) ? file[name] : undefined
    }
    if (value !== undefined) entries.push([name, value])
  }
  return Object.fromEntries(entries) // defines '__proto__' & co. as plain keys
}
