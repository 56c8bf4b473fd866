// Serve / watch / Vitest / `capsule run`: no build output to emit into, so a compiled module gets a
// manifest of its own in the cache, pointing at the cached artifacts. The directory is named after
// the manifest's content, so a recompiled module gets a new path (the proxy changes, nothing is
// overwritten under a running process) and an unchanged one reuses its file.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_MANIFEST_NAME } from '../formats/manifest.ts'
import { buildManifest, manifestJson, type ManifestInput } from './manifest.ts'

export async function writeCacheManifest(module: ManifestInput, root: string, cacheDir: string): Promise<string> {
  const base = join(cacheDir, 'manifests')
  // Paths are relative to the manifest's directory: every content directory sits at the same depth.
  const { manifest } = await buildManifest([module], root, { kind: 'cache', manifestDir: join(base, 'x') })
  const json = manifestJson(manifest)
  const dir = join(base, createHash('sha256').update(json).digest('hex').slice(0, 24))
  const file = join(dir, DEFAULT_MANIFEST_NAME)
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true })
    const staging = `${file}.${process.pid}-${Date.now()}.tmp`
    await writeFile(staging, json)
    await rename(staging, file)
  }
  return file
}
