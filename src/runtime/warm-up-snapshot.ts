// A module to warm a worker's engine with while the module it will run is still being built:
// the package's own prebuilt snippet module (agents/snippet-artifact.ts), when it was built for
// the same engine (the package's toolchain is the one in use), its files checked against its
// manifest first. Running it once, calling no task, has V8 compile the engine's call path (~50 ms
// a new worker's first call paid) off the caller's path.
import { loadManifest } from './manifest-load.ts'
import { fileSetDir, verifyFileSet } from './manifest-verify.ts'
import { snippetManifest } from './agents/snippet-artifact.ts'

interface WarmUpModule {
  engineKey: string
  moduleDir: string
}

const loaded = new Map<string, WarmUpModule | null>()

function load(manifestPath: string): WarmUpModule | null {
  try {
    const manifest = loadManifest(manifestPath)
    const module = manifest.modules[0]
    if (!module) return null
    verifyFileSet(manifestPath, module.artifact)
    return { engineKey: manifest.engine.key, moduleDir: fileSetDir(manifestPath, module.artifact) }
  } catch {
    // a package built without it, or one whose files do not check out: no warm-up
    return null
  }
}

/**
 * The folder of the module (by default the snippet module) whose snapshot warms an engine of
 * this key, or undefined when it was built for another engine or fails its checks.
 */
export function warmUpModuleFor(engineKey: string, manifestPath?: string): string | undefined {
  let path = manifestPath
  if (path === undefined) {
    try {
      path = snippetManifest()
    } catch {
      return undefined
    }
  }
  if (!loaded.has(path)) loaded.set(path, load(path))
  const module = loaded.get(path)
  return module?.engineKey === engineKey ? module.moduleDir : undefined
}
