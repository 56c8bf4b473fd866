// Reading a manifest: the file read, parsed and validated (formats/manifest.ts), remembered
// while its stamp is unchanged. Errors are CapsuleError('INVALID_MANIFEST') naming the problem.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseManifest, type Manifest } from '../formats/manifest.ts'
import { fileStamp } from '../shared/file-stamp.ts'
import { CapsuleError } from './errors.ts'

const loaded = new Map<string, { stamp: string; manifest: Manifest }>()

/** Reads, parses and validates a manifest. Throws CapsuleError('INVALID_MANIFEST') naming the problem. */
export function loadManifest(path: string): Manifest {
  const file = resolve(path)
  const stamp = fileStamp(file)
  const known = loaded.get(file)
  if (known && known.stamp === stamp) return known.manifest
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CapsuleError('INVALID_MANIFEST', code === 'ENOENT' ? `cannot read manifest ${file}: no such file` : `cannot read manifest ${file}: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CapsuleError('INVALID_MANIFEST', `${file}: not valid JSON (${(error as Error).message})`)
  }
  const manifest = parseManifest(json, file)
  loaded.set(file, { stamp, manifest })
  return manifest
}
