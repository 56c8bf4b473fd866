// Versions of the toolchain that shape a compiled artifact: part of every cache key and of
// the manifest, so an upgrade never serves a stale component.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WIT_FILE } from './guest-files.ts'
import { INSTRUMENTATION_VERSION, MIN_REGION } from './engine/instrumentation.ts'
import { GLUE_PATCH_VERSION } from './engine/glue-patch-version.ts'

/** Bump when the layout of a cached module changes (3: snapshots taken by the host; 4: task.data v2, runs laid out; 5: snapshots taken after a warm-up call through the run export). */
export const CACHE_FORMAT = 5

function packageVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === name && pkg.version) return pkg.version
    } catch {
      // keep walking up
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find the version of ${name}`)
    dir = parent
  }
}

/** Features kept: random (else every instance repeats Math.random) and clocks (real time, timers). */
export const DISABLED_FEATURES = ['stdio', 'http', 'fetch-event']

export interface Toolchain {
  componentizeJs: string
  jco: string
  world: string
}

let cached: Toolchain | undefined

export function toolchain(): Toolchain {
  cached ??= {
    componentizeJs: packageVersion('@bytecodealliance/componentize-js'),
    jco: packageVersion('@bytecodealliance/jco'),
    world: readFileSync(WIT_FILE, 'utf8'),
  }
  return cached
}

let id: string | undefined

/** Everything besides the bundle that shapes an artifact: versions, world, instrumentation. */
export function toolchainId(): string {
  if (id) return id
  const tools = toolchain()
  id = createHash('sha256')
    .update(JSON.stringify({
      CACHE_FORMAT, componentizeJs: tools.componentizeJs, jco: tools.jco, features: DISABLED_FEATURES,
      instrumentation: INSTRUMENTATION_VERSION, minRegion: MIN_REGION, gluePatch: GLUE_PATCH_VERSION,
    }))
    .update(tools.world)
    .digest('hex')
  return id
}
