// Remembers, per task module, the cache key of its last guest bundle and every file that went
// into it (with its stamp: shared/file-stamp.ts). While none of them changed and the toolchain
// is the same, a cache hit needs no re-bundling — the CLI's cold start skips loading esbuild
// altogether — and, for the same compile settings, not even the compiler: the module as last
// compiled is kept too.
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModuleArtifact } from '../runtime/artifact.ts'
import { fileStamp, MISSING_STAMP } from '../shared/file-stamp.ts'

/** A compile's whole answer, valid for the settings it was made with (cache-hit.ts). */
export interface RememberedCompile {
  settings: string
  module: ModuleArtifact
}

interface IndexEntry {
  toolchain: string
  key: string
  inputs: [path: string, stamp: string][]
  compiled?: RememberedCompile
}

function indexFile(cacheDir: string, source: string): string {
  return join(cacheDir, 'sources', `${createHash('sha256').update(source).digest('hex').slice(0, 32)}.json`)
}

/** The remembered key and inputs, if every input is exactly as it was when they were bundled. */
export async function rememberedBundle(cacheDir: string, source: string, toolchain: string): Promise<{ key: string; inputs: string[]; compiled?: RememberedCompile } | undefined> {
  let entry: IndexEntry
  try {
    entry = JSON.parse(await readFile(indexFile(cacheDir, source), 'utf8')) as IndexEntry
  } catch {
    return undefined
  }
  if (entry.toolchain !== toolchain) return undefined
  const unchanged = entry.inputs.every(([path, stamp]) => stamp !== MISSING_STAMP && fileStamp(path) === stamp)
  return unchanged ? { key: entry.key, inputs: entry.inputs.map(([path]) => path), ...(entry.compiled ? { compiled: entry.compiled } : {}) } : undefined
}

export async function rememberBundle(cacheDir: string, source: string, toolchain: string, key: string, inputs: string[], compiled?: RememberedCompile): Promise<void> {
  const stamps: IndexEntry['inputs'] = []
  for (const input of inputs) {
    const stamp = fileStamp(input)
    if (stamp === MISSING_STAMP) return // an input we cannot stat: never trust a shortcut for this module
    stamps.push([input, stamp])
  }
  await mkdir(join(cacheDir, 'sources'), { recursive: true })
  await writeFile(indexFile(cacheDir, source), JSON.stringify({ toolchain, key, inputs: stamps, ...(compiled ? { compiled } : {}) } satisfies IndexEntry))
}
