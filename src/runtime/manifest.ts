// A manifest's task → the runnable artifact: the manifest loaded (manifest-load.ts), the task
// selected (manifest-select.ts), the WIT world and every file it loads checked
// (manifest-verify.ts). Policies come from the manifest, never from the guest. The format and
// its validator: formats/manifest.ts.
import { resolve } from 'node:path'
import type { ModuleArtifact } from './artifact.ts'
import { CapsuleError } from './errors.ts'
import { loadManifest } from './manifest-load.ts'
import { selectTask } from './manifest-select.ts'
import { fileSetDir, runtimeWorld, verifyFileSet } from './manifest-verify.ts'

/**
 * The runnable artifact for `task` in the manifest at `manifestPath`, after checking the sha256 of
 * every file it loads (the module's artifact and the shared engine). `root` is the project root
 * for relative file grants and `.env`.
 */
export function manifestArtifact(manifestPath: string, task: string | undefined, root: string): { artifact: ModuleArtifact; taskName: string } {
  const path = resolve(manifestPath)
  const manifest = loadManifest(path)
  const { module, taskName } = selectTask(manifest, path, task)
  const expected = runtimeWorld()
  if (expected !== null && manifest.toolchain.world !== expected) {
    throw new CapsuleError('INVALID_MANIFEST',
      `${path} was built by unplugin-capsule ${manifest.toolchain.capsule} for another host interface (WIT world) than this runtime implements: rebuild it with the installed version`)
  }
  verifyFileSet(path, manifest.engine)
  verifyFileSet(path, module.artifact)
  const artifact: ModuleArtifact = {
    dir: fileSetDir(path, module.artifact),
    files: module.artifact.files.map((file) => file.path),
    engine: { dir: fileSetDir(path, manifest.engine), files: manifest.engine.files.map((file) => file.path), key: manifest.engine.key },
    source: resolve(root, module.source),
    root,
    tasks: module.tasks.map((entry) => ({ exportName: entry.export, policy: { name: entry.name, ...entry.policy }, ...(entry.signature ? { signature: entry.signature } : {}) })),
  }
  return { artifact, taskName }
}
