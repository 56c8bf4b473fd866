// Checking a manifest's files before anything loads them: the sha256 of every file of a set
// (digests remembered per file version: file-digests.ts), and the WIT world this runtime
// implements, which the manifest's toolchain must name.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ManifestFileSet } from '../formats/manifest.ts'
import { displayPath } from '../shared/display-path.ts'
import { sha256File } from '../shared/sha256-file.ts'
import { CapsuleError } from './errors.ts'
import { digestOf } from './file-digests.ts'

/** Absolute directory of a file set. */
export function fileSetDir(manifestPath: string, set: ManifestFileSet): string {
  return resolve(dirname(resolve(manifestPath)), set.dir)
}

/** A file of a set as it was when its sha256 was checked. */
export interface CheckedFile {
  path: string
  /** Its stamp then (shared/file-stamp.ts): the same stamp now means the same bytes. */
  stamp: string
}

/**
 * Checks the size and sha256 of every file of a set; throws INVALID_MANIFEST naming the first
 * mismatch. Answers each file's stamp as checked.
 */
export function verifyFileSet(manifestPath: string, set: ManifestFileSet): CheckedFile[] {
  const dir = fileSetDir(manifestPath, set)
  return set.files.map((file) => {
    const path = resolve(dir, file.path)
    const { sha256: actual, stamp } = digestOf(path)
    if (actual === 'missing') {
      throw new CapsuleError('INVALID_MANIFEST', `artifact ${displayPath(path, dirname(resolve(manifestPath)))} listed in ${manifestPath} is missing`)
    }
    if (actual !== file.sha256) {
      throw new CapsuleError('INVALID_MANIFEST',
        `artifact ${displayPath(path, dirname(resolve(manifestPath)))} does not match its sha256 in ${manifestPath} (expected ${file.sha256.slice(0, 12)}…, got ${actual.slice(0, 12)}…): the build output was modified or corrupted`)
    }
    return { path, stamp }
  })
}

let world: string | null | undefined

/** sha256 of the WIT world this installed runtime implements (null when it cannot be read). */
export function runtimeWorld(): string | null {
  if (world === undefined) {
    try {
      world = sha256File(fileURLToPath(new URL('../wit/capsule.wit', import.meta.url)))
    } catch {
      world = null
    }
  }
  return world
}
