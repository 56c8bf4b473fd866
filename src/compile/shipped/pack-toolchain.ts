// Packs the current toolchain's kit and shared engine, built from source in `cacheDir`, into the
// package (dist/toolchain/<toolchain id>/, see shipped-layout.ts). Run by scripts/build-snippet.mjs
// after the snippet build, which made them. The engine's files are the ones the snippet already
// ships (dist/snippet/, its engine stored gzipped): the index points at them instead of storing
// them twice, after checking they are byte for byte the cache's. The pre-init engine is stored
// gzipped (10.5 → 3.4 MB); the uninstrumented engine.plain.wasm is not shipped.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, posix, relative, sep } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { DEFAULT_MANIFEST_NAME, type Manifest } from '../../formats/manifest.ts'
import { ENGINE_META, engineFiles as engineFileNames } from '../../formats/layout.ts'
import { version } from '../../version.ts'
import { isGzip } from '../../shared/gzip.ts'
import { sha256Hex as sha256 } from '../../shared/sha256-file.ts'
import { KIT_FILES, kitDir, type KitMeta } from '../snapshot/kit-files.ts'
import { toolchain, toolchainId } from '../toolchain.ts'
import { SHIPPED_FORMAT, SHIPPED_TOOLCHAIN_DIR, SHIPPED_TOOLCHAIN_INDEX, shippedToolchainDir, type ShippedFile, type ShippedToolchain } from './shipped-layout.ts'

function shipped(name: string, stored: string, storedBytes: Uint8Array, installed: Uint8Array): ShippedFile {
  return {
    name, stored, gzip: isGzip(storedBytes) && !isGzip(installed),
    storedSha256: sha256(storedBytes), storedBytes: storedBytes.length, sha256: sha256(installed), bytes: installed.length,
  }
}

/** Writes dist/toolchain/<id>/ (replacing whatever dist/toolchain/ held) and answers its index. */
export async function packToolchain(cacheDir: string, pkg: string): Promise<ShippedToolchain> {
  const id = toolchainId()
  const kit = kitDir(cacheDir, id)
  const meta = JSON.parse(await readFile(join(kit, KIT_FILES.meta), 'utf8')) as KitMeta
  const engineDir = join(cacheDir, 'engines', meta.engineId)
  const out = shippedToolchainDir(id, pkg)
  await rm(join(pkg, 'dist', SHIPPED_TOOLCHAIN_DIR), { recursive: true, force: true })
  await mkdir(out, { recursive: true })

  const kitFiles: ShippedFile[] = []
  for (const name of Object.values(KIT_FILES)) {
    const installed = await readFile(join(kit, name))
    const stored = name === KIT_FILES.initWasm ? gzipSync(installed, { level: 9 }) : installed
    const storedName = stored === installed ? name : `${name}.gz`
    await writeFile(join(out, storedName), stored)
    kitFiles.push(shipped(name, storedName, stored, installed))
  }

  // The engine: its record here, its code where the snippet ships it.
  const snippet = join(pkg, 'dist', 'snippet')
  const manifest = JSON.parse(await readFile(join(snippet, DEFAULT_MANIFEST_NAME), 'utf8')) as Manifest
  const snippetEngine = join(snippet, manifest.engine.dir)
  const engineFiles: ShippedFile[] = []
  // What the runtime loads and the engine's record: not engine.plain.wasm, nor the runtime's notes.
  for (const name of [ENGINE_META, ...engineFileNames(meta.supportFiles)]) {
    const installed = await readFile(join(engineDir, name))
    if (name === ENGINE_META) {
      await writeFile(join(out, name), installed)
      engineFiles.push(shipped(name, name, installed, installed))
      continue
    }
    let stored: Buffer
    try {
      stored = await readFile(join(snippetEngine, name))
    } catch {
      throw new Error(`the snippet build (${snippetEngine}) ships no ${name} of the shared engine ${meta.engineId}: build the snippet with this toolchain first`)
    }
    if (!Buffer.from(isGzip(stored) && !isGzip(installed) ? gunzipSync(stored) : stored).equals(installed)) {
      throw new Error(`the snippet's ${name} (${snippetEngine}) is not the shared engine ${meta.engineId} of this toolchain: rebuild the snippet`)
    }
    engineFiles.push(shipped(name, relative(out, join(snippetEngine, name)).split(sep).join(posix.sep), stored, installed))
  }
  const index: ShippedToolchain = {
    format: SHIPPED_FORMAT, capsule: version, toolchainId: id,
    componentizeJs: toolchain().componentizeJs, jco: toolchain().jco,
    kit: kitFiles, engine: { id: meta.engineId, files: engineFiles },
  }
  await writeFile(join(out, SHIPPED_TOOLCHAIN_INDEX), `${JSON.stringify(index, null, 2)}\n`)
  return index
}
