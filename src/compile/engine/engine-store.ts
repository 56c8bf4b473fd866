// The shared engine on disk: one directory per (engine code, glue, instrumentation) holding the
// fuel-instrumented engine, the jco glue and its small adapter modules. Built once per
// toolchain and reused by every task module; a module's artifact is only its snapshot. Its id is
// known before it is instrumented (`prepareEngine`): the instrumentation (binaryen, seconds) runs
// in a thread of its own and is handed to `storeEngine` as a promise.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ENGINE_FILE, ENGINE_META, PLAIN_ENGINE_FILE } from '../../formats/layout.ts'
import type { InstrumentedEngine } from './instrument-thread.ts'
import { INSTRUMENTATION_VERSION, MIN_REGION } from './instrumentation.ts'
import { patchEngineSupport } from './patch-glue.ts'

export interface EngineParts {
  /** sha256 of the split (uninstrumented) engine: what task data is tied to. */
  engineKey: string
  plainEngine: Uint8Array
  /** The glue (component.js) and adapter core modules, by file name. */
  support: Map<string, Uint8Array>
}

export interface StoredEngine {
  id: string
  dir: string
  /** True when this call instrumented it (a cache miss); false when it was reused. */
  built: boolean
  instrumentMs: number
}

export function engineId(parts: EngineParts): string {
  const hash = createHash('sha256').update(parts.engineKey).update(`fuel:${INSTRUMENTATION_VERSION}:${MIN_REGION}`)
  for (const [name, bytes] of [...parts.support].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update(bytes)
  return hash.digest('hex').slice(0, 32)
}

/** The engine's parts as stored (the glue patched) and its id: cheap, no instrumentation yet. */
export interface PreparedEngine {
  id: string
  parts: EngineParts
}

export function prepareEngine(parts: EngineParts): PreparedEngine {
  parts = { ...parts, support: patchEngineSupport(parts.support) }
  return { id: engineId(parts), parts }
}

/** Writes the engine unless it is on disk already; `instrumented` is only awaited when needed. */
export async function storeEngine(cacheDir: string, { id, parts }: PreparedEngine, instrumented: () => Promise<InstrumentedEngine>): Promise<StoredEngine> {
  const dir = join(cacheDir, 'engines', id)
  if (existsSync(join(dir, ENGINE_META))) return { id, dir, built: false, instrumentMs: 0 }
  const { wasm, stats } = await instrumented()
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(staging, { recursive: true })
  try {
    await writeFile(join(staging, ENGINE_FILE), wasm)
    await writeFile(join(staging, PLAIN_ENGINE_FILE), parts.plainEngine)
    for (const [name, bytes] of parts.support) await writeFile(join(staging, name), bytes)
    await writeFile(join(staging, ENGINE_META), JSON.stringify({ engineKey: parts.engineKey, instrumentation: INSTRUMENTATION_VERSION, minRegion: MIN_REGION, regions: stats.regions }))
    if (existsSync(join(dir, ENGINE_META))) return { id, dir, built: false, instrumentMs: 0 } // a parallel build won
    await rm(dir, { recursive: true, force: true })
    await rename(staging, dir)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  return { id, dir, built: true, instrumentMs: stats.milliseconds }
}
