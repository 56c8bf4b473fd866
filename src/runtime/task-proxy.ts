// What the plugin's generated proxy modules call: one function per exported task that runs it
// from a manifest on the shared runtime. In a build the manifest sits in the output, found from
// the proxy's own location (its directory, then each parent), so the output folder can be moved;
// in dev/serve the proxy names a manifest in the cache directly. A call always answers an
// envelope: a missing or tampered build output becomes an `internal_error` envelope.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Envelope } from '../types.ts'
import { failureEnvelope } from './envelope.ts'
import { CapsuleError } from './errors.ts'
import { DEFAULT_MANIFEST_NAME } from '../formats/manifest.ts'
import { loadManifest } from './manifest-load.ts'
import { run } from './runtime.ts'
import { errorMessage } from '../shared/error-message.ts'

export interface TaskProxyOptions {
  /** The task module's source path as the manifest lists it (relative to the project root). */
  module: string
  /** A manifest path (dev/serve: in the cache directory). */
  manifest?: string
  /** Where the proxy lives (a path or a file: URL): the manifest is searched from its directory up. */
  from?: string
  /** The manifest's file name when searching (default capsule.manifest.json). */
  manifestName?: string
  /** Project root for relative file grants and `.env` (default: the process's cwd). */
  cwd?: string
}

function toPath(location: string): string {
  return location.startsWith('file:') ? fileURLToPath(location) : location
}

/** Finds the nearest manifest named `name` that lists `module`, from `from`'s directory upward. */
export function locateManifest(from: string, module: string, name = DEFAULT_MANIFEST_NAME): string {
  const start = dirname(toPath(from))
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, name)
    if (existsSync(candidate) && loadManifest(candidate).modules.some((entry) => entry.source === module)) return candidate
    if (dirname(dir) === dir) break
  }
  throw new CapsuleError('INVALID_MANIFEST',
    `no ${name} listing ${module} in ${start} or its parents: deploy the build output as a whole (the manifest and its capsule/ folder next to the code)`)
}

/** `(taskName) => (...args) => Promise<Envelope>` for one task module. */
export function createTaskProxy(options: TaskProxyOptions): (taskName: string) => (...args: unknown[]) => Promise<Envelope> {
  let manifest = options.manifest
  return (taskName) => async (...args) => {
    const startedAt = performance.now()
    try {
      manifest ??= locateManifest(options.from ?? process.cwd(), options.module, options.manifestName)
      return await run({ manifest, task: `${options.module}#${taskName}`, args, cwd: options.cwd })
    } catch (error) {
      const message = errorMessage(error)
      return failureEnvelope(taskName, startedAt, { error_type: 'internal_error', message })
    }
  }
}
