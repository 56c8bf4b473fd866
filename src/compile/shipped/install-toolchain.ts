// Installs the kit and the shared engine the package ships (shipped-layout.ts) into a compile
// cache, instead of building them: on a kit cache miss, under the kit's lock (kit-store.ts). Only
// for exactly the shipped toolchain (the full toolchain id: componentize-js and jco versions,
// features, instrumentation, glue patch, cache format, WIT world); any other answers undefined
// and the caller builds from source, as it does when CAPSULE_BUILD_TOOLCHAIN=1. Every stored file
// is checked against the index (size and sha256, before and after inflating) before anything is
// written: a corrupted or tampered package throws ShippedToolchainRejected, never gets used.
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { ENGINE_FILE, ENGINE_META } from '../../formats/layout.ts'
import { KIT_FILES, type KitMeta } from '../snapshot/kit-files.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { sha256Hex as sha256 } from '../../shared/sha256-file.ts'
import { BUILD_TOOLCHAIN_ENV, SHIPPED_FORMAT, SHIPPED_TOOLCHAIN_INDEX, shippedToolchainDir, type ShippedFile, type ShippedToolchain } from './shipped-layout.ts'

/** The package's shipped toolchain failed its checks (the message names the file and why). */
export class ShippedToolchainRejected extends Error {}

export interface InstalledToolchain {
  meta: KitMeta
  /** The unplugin-capsule version that packed it. */
  capsule: string
  /** False when the engine was already in the cache (only the kit was installed). */
  engineInstalled: boolean
  ms: number
}

export interface InstallOptions {
  /** The unplugin-capsule package folder (default: this package's). */
  packageDir?: string
}

/** Off the main thread (libuv's pool): the install overlaps the module's bundling. */
const inflate = promisify(gunzip)

/** Whether the user asked for the from-source build (the switch the tests and the package build use). */
export function buildToolchainFromSource(): boolean {
  return process.env[BUILD_TOOLCHAIN_ENV] === '1'
}

async function readIndex(dir: string, toolchainId: string): Promise<ShippedToolchain | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, SHIPPED_TOOLCHAIN_INDEX), 'utf8')
  } catch {
    return undefined // the package ships no toolchain of this id
  }
  let index: ShippedToolchain
  try {
    index = JSON.parse(text) as ShippedToolchain
  } catch (error) {
    throw new ShippedToolchainRejected(`${join(dir, SHIPPED_TOOLCHAIN_INDEX)} is not valid JSON: ${errorMessage(error)}`)
  }
  if (index.format !== SHIPPED_FORMAT || !Array.isArray(index.kit) || !Array.isArray(index.engine?.files) || typeof index.engine.id !== 'string') {
    throw new ShippedToolchainRejected(`${join(dir, SHIPPED_TOOLCHAIN_INDEX)} is not a format ${SHIPPED_FORMAT} toolchain index`)
  }
  return index.toolchainId === toolchainId ? index : undefined
}

/** A shipped file's installed bytes, once its stored and installed bytes match the index. */
async function verified(dir: string, file: ShippedFile): Promise<Buffer> {
  const path = join(dir, file.stored)
  const reject = (why: string) => new ShippedToolchainRejected(`${path}: ${why}; reinstall unplugin-capsule (or set ${BUILD_TOOLCHAIN_ENV}=1 to build the toolchain from source)`)
  if (typeof file.name !== 'string' || !/^[\w.-]+$/.test(file.name)) throw reject(`not a plain file name: ${JSON.stringify(file.name)}`)
  let stored: Buffer
  try {
    stored = await readFile(path)
  } catch (error) {
    throw reject(`cannot be read (${errorMessage(error)})`)
  }
  if (stored.length !== file.storedBytes || sha256(stored) !== file.storedSha256) throw reject(`its bytes are not the ones shipped (sha256 ${file.storedSha256}, ${file.storedBytes} bytes)`)
  let installed: Buffer
  try {
    installed = file.gzip ? await inflate(stored) : stored
  } catch (error) {
    throw reject(`cannot be inflated (${errorMessage(error)})`)
  }
  if (installed.length !== file.bytes || sha256(installed) !== file.sha256) throw reject(`inflates to other bytes than shipped (sha256 ${file.sha256})`)
  return installed
}

/** Writes `files` into a staging dir renamed to `dir` (a crash never leaves a half-written entry). */
async function writeEntry(dir: string, files: Map<string, Buffer>): Promise<void> {
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(staging, { recursive: true })
  try {
    for (const [name, bytes] of files) await writeFile(join(staging, name), bytes)
    await rm(dir, { recursive: true, force: true })
    await rename(staging, dir)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

/**
 * Installs the shipped kit (into `kitDir`) and its engine (into `<cacheDir>/engines/<id>/`, unless
 * already there) when the package ships this toolchain; undefined when it does not, or when the
 * from-source build is asked for. The caller holds the kit's lock.
 */
export async function installShippedToolchain(cacheDir: string, toolchainId: string, kitDir: string, options: InstallOptions = {}): Promise<InstalledToolchain | undefined> {
  if (buildToolchainFromSource()) return undefined
  const started = performance.now()
  const dir = shippedToolchainDir(toolchainId, options.packageDir)
  const index = await readIndex(dir, toolchainId)
  if (!index) return undefined
  const kit = new Map(await Promise.all(index.kit.map(async (file) => [file.name, await verified(dir, file)] as const)))
  for (const name of Object.values(KIT_FILES)) {
    if (!kit.has(name)) throw new ShippedToolchainRejected(`${join(dir, SHIPPED_TOOLCHAIN_INDEX)} ships no ${name} of the kit`)
  }
  const meta = JSON.parse(kit.get(KIT_FILES.meta)!.toString('utf8')) as KitMeta
  if (meta.engineId !== index.engine.id) throw new ShippedToolchainRejected(`${join(dir, SHIPPED_TOOLCHAIN_INDEX)}: the kit names the engine ${meta.engineId}, the index ${index.engine.id}`)
  const engineDir = join(cacheDir, 'engines', meta.engineId)
  let engineInstalled = false
  if (!existsSync(join(engineDir, ENGINE_META))) {
    const engine = new Map(await Promise.all(index.engine.files.map(async (file) => [file.name, await verified(dir, file)] as const)))
    const missing = [ENGINE_META, ENGINE_FILE, ...meta.supportFiles].filter((name) => !engine.has(name))
    if (missing.length > 0) throw new ShippedToolchainRejected(`${join(dir, SHIPPED_TOOLCHAIN_INDEX)} ships no ${missing.join(', ')} of the engine`)
    await mkdir(join(cacheDir, 'engines'), { recursive: true })
    await writeEntry(engineDir, engine)
    engineInstalled = true
  }
  await mkdir(join(cacheDir, 'kits'), { recursive: true })
  await writeEntry(kitDir, kit) // last: a kit names an engine that is on disk
  return { meta, capsule: index.capsule, engineInstalled, ms: Math.round(performance.now() - started) }
}
