// The uninstrumented engine (engine.plain.wasm): the runtime never loads it, only the fuel-overhead
// bench does (metered vs unmetered). An engine built from source keeps it beside the instrumented
// one; an engine installed from the package (compile/shipped/) does not have it, since shipping it
// would cost ~3 MB for a bench. `ensurePlainEngine` makes it on demand: it builds the toolchain from
// source once, in a temp cache (the child process a first build without the shipped kit runs),
// checks that its split engine is the one this engine was instrumented from (its sha256 is
// engine.json's engineKey) and copies it into the engine dir.
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ENGINE_META, PLAIN_ENGINE_FILE } from '../../formats/layout.ts'
import { buildKitInChild } from '../componentize.ts'
import { WIT_FILE } from '../guest-files.ts'
import { DISABLED_FEATURES, toolchain } from '../toolchain.ts'
import { sha256Hex } from '../../shared/sha256-file.ts'

/** The path of `engineDir`'s uninstrumented engine, built first if the dir has none. */
export async function ensurePlainEngine(engineDir: string): Promise<string> {
  const target = join(engineDir, PLAIN_ENGINE_FILE)
  if (existsSync(target)) return target
  const { engineKey } = JSON.parse(await readFile(join(engineDir, ENGINE_META), 'utf8')) as { engineKey: string }
  const cacheDir = await mkdtemp(join(tmpdir(), 'capsule-plain-engine-'))
  try {
    const build = buildKitInChild({
      witPath: WIT_FILE, worldName: 'capsule', cacheDir, kitDir: join(cacheDir, 'kit'),
      disableFeatures: DISABLED_FEATURES, componentizeJs: toolchain().componentizeJs,
    })
    const [{ meta }] = await Promise.all([build.kit, build.engine])
    const plain = await readFile(join(cacheDir, 'engines', meta.engineId, PLAIN_ENGINE_FILE))
    if (sha256Hex(plain) !== engineKey) {
      throw new Error(`the toolchain built here makes another engine (${meta.engineKey}) than ${engineDir} (${engineKey}): cannot give its uninstrumented engine`)
    }
    const staging = `${target}.tmp-${process.pid}`
    await writeFile(staging, plain)
    await rename(staging, target)
    return target
  } finally {
    await rm(cacheDir, { recursive: true, force: true })
  }
}
