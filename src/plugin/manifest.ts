// Builds capsule.manifest.json from compiled task modules, for both layouts:
// - output: every artifact (and the shared engine, once there is one) is copied under
//   `capsule/<content key>/` next to the manifest, all paths relative to it (a build, `capsule build`);
// - cache: the manifest sits in the cache and points at the cached artifacts (dev/serve, `capsule run`).
// Written generically over `artifact.files` and `artifact.engine.files`.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, join, relative, resolve } from 'node:path'
import type { CompiledModule } from '../compile/index.ts'
import { WIT_FILE } from '../compile/guest-files.ts'
import { toolchain } from '../compile/toolchain.ts'
import { version } from '../version.ts'
import {
  MANIFEST_VERSION,
  type Manifest, type ManifestEngine, type ManifestFile, type ManifestFileSet, type ManifestModule, type ManifestToolchain,
} from '../formats/manifest.ts'
import { sha256File } from '../shared/sha256-file.ts'
import { statsStamp } from '../shared/file-stamp.ts'
import { sourceKey, toPosix } from '../shared/display-path.ts'

/** What a manifest needs of a compiled module. */
export type ManifestInput = Pick<CompiledModule, 'dir' | 'files' | 'engine' | 'source' | 'tasks'>

/** A file to place in the output: `fileName` relative to the manifest's directory. */
export interface OutputFile {
  fileName: string
  from: string
}

export interface BuiltManifest {
  manifest: Manifest
  /** The artifact files to copy next to the manifest (empty for the cache layout). */
  files: OutputFile[]
}

export const OUTPUT_ARTIFACTS_DIR = 'capsule'

const hashes = new Map<string, { stamp: string; file: ManifestFile }>()

async function describe(dir: string, name: string): Promise<ManifestFile> {
  const path = join(dir, name)
  const info = await stat(path, { bigint: true })
  const stamp = statsStamp(info)
  const known = hashes.get(path)
  if (known?.stamp === stamp) return known.file
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  const file = { path: name, sha256: hash.digest('hex'), bytes: Number(info.size) }
  hashes.set(path, { stamp, file })
  return file
}

let tools: ManifestToolchain | undefined

/** The versions that shaped the artifacts, and the sha256 of the WIT world they implement. */
export function manifestToolchain(): ManifestToolchain {
  if (!tools) {
    const { componentizeJs, jco } = toolchain()
    tools = { capsule: version, componentizeJs, jco, world: sha256File(WIT_FILE) }
  }
  return tools
}

export interface ManifestLayout {
  kind: 'output' | 'cache'
  /** Absolute directory the manifest will be written to (cache layout: paths are made relative to it). */
  manifestDir?: string
}

export async function buildManifest(modules: ManifestInput[], root: string, layout: ManifestLayout): Promise<BuiltManifest> {
  const files: OutputFile[] = []
  const placed = new Map<string, string>()
  const place = async (dir: string, names: string[]): Promise<ManifestFileSet> => {
    const described = await Promise.all([...names].sort().map((name) => describe(dir, name)))
    let target: string
    if (layout.kind === 'output') {
      target = `${OUTPUT_ARTIFACTS_DIR}/${basename(dir)}`
      if (!placed.has(dir)) {
        for (const name of names) files.push({ fileName: `${target}/${name}`, from: join(dir, name) })
      }
    } else {
      target = toPosix(relative(layout.manifestDir ?? root, dir)) || '.'
    }
    placed.set(dir, target)
    return { dir: target, files: described }
  }

  if (modules.length === 0) throw new Error('a manifest needs at least one task module')
  let engine: ManifestEngine | undefined
  const entries: ManifestModule[] = []
  const sorted = [...modules].sort((a, b) => sourceKey(a.source, root).localeCompare(sourceKey(b.source, root)))
  for (const module of sorted) {
    if (!engine) {
      engine = { ...await place(resolve(module.engine.dir), module.engine.files), key: module.engine.key }
    } else if (engine.key !== module.engine.key || placed.get(resolve(module.engine.dir)) !== engine.dir) {
      throw new Error(`task modules were compiled with different engines (${engine.key} and ${module.engine.key}): rebuild them with one toolchain`)
    }
    entries.push({
      source: sourceKey(module.source, root),
      artifact: await place(resolve(module.dir), module.files),
      tasks: module.tasks.map(({ exportName, policy: { name, ...policy }, signature }) => ({ name, export: exportName, policy, ...(signature ? { signature } : {}) })),
    })
  }
  return { manifest: { version: MANIFEST_VERSION, toolchain: manifestToolchain(), engine: engine!, modules: entries }, files }
}

export function manifestJson(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}
