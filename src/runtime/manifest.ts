// A manifest's task → the runnable artifact: the manifest loaded (manifest-load.ts), the task
// selected (manifest-select.ts), the WIT world and every file it loads checked
// (manifest-verify.ts). Policies come from the manifest, never from the guest. The format and
// its validator: formats/manifest.ts. Every call stats the manifest and every artifact file; while
// none of their stamps moved, the artifact checked before is answered again (building it anew
// each call cost ~12 KB of garbage and ~30 µs of CPU on the host thread).
import { resolve } from 'node:path'
import type { ModuleArtifact } from './artifact.ts'
import { CapsuleError } from './errors.ts'
import { loadManifest } from './manifest-load.ts'
import { selectTask } from './manifest-select.ts'
import { fileSetDir, runtimeWorld, verifyFileSet, type CheckedFile } from './manifest-verify.ts'
import type { Manifest } from '../formats/manifest.ts'
import { fileStamp } from '../shared/file-stamp.ts'

interface Checked {
  /** The manifest as loaded (loadManifest answers the same object while its stamp holds). */
  manifest: Manifest
  files: CheckedFile[]
  answer: { artifact: ModuleArtifact; taskName: string }
}

/** Per manifest path, task and root: the last artifact whose files were checked. */
const checked = new Map<string, Checked>()

const unchanged = (files: CheckedFile[]): boolean => files.every((file) => fileStamp(file.path) === file.stamp)

/**
 * The runnable artifact for `task` in the manifest at `manifestPath`, after checking the sha256 of
 * every file it loads (the module's artifact and the shared engine). `root` is the project root
 * for relative file grants and `.env`.
 */
export function manifestArtifact(manifestPath: string, task: string | undefined, root: string): { artifact: ModuleArtifact; taskName: string } {
  const path = resolve(manifestPath)
  const manifest = loadManifest(path)
  const key = `${path}\0${task ?? ''}\0${root}`
  const known = checked.get(key)
  if (known?.manifest === manifest && unchanged(known.files)) return known.answer
  const { module, taskName } = selectTask(manifest, path, task)
  const expected = runtimeWorld()
  if (expected !== null && manifest.toolchain.world !== expected) {
    throw new CapsuleError('INVALID_MANIFEST',
      `${path} was built by unplugin-capsule ${manifest.toolchain.capsule} for another host interface (WIT world) than this runtime implements: rebuild it with the installed version`)
  }
  const files = [...verifyFileSet(path, manifest.engine), ...verifyFileSet(path, module.artifact)]
  const artifact: ModuleArtifact = {
    dir: fileSetDir(path, module.artifact),
    files: module.artifact.files.map((file) => file.path),
    engine: { dir: fileSetDir(path, manifest.engine), files: manifest.engine.files.map((file) => file.path), key: manifest.engine.key },
    source: resolve(root, module.source),
    root,
    tasks: module.tasks.map((entry) => ({ exportName: entry.export, policy: { name: entry.name, ...entry.policy }, ...(entry.signature ? { signature: entry.signature } : {}) })),
  }
  const answer = { artifact, taskName }
  checked.set(key, { manifest, files, answer })
  return answer
}
