// The snapshot kit of the current toolchain: loaded from `<cacheDir>/kits/<toolchain id>/`, or
// installed from the package when it ships this very toolchain (shipped/install-toolchain.ts), or
// built once (in a child process, see componentize.ts) together with the shared engine — once
// across processes too (cache-lock.ts: the kit's own lock and, to build, one of the machine's
// compile slots). The snapshot processes read and compile its pre-init engine themselves.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ENGINE_META } from '../../formats/layout.ts'
import { compileOnce } from '../cache-lock.ts'
import { buildKitInChild } from '../componentize.ts'
import { WIT_FILE } from '../guest-files.ts'
import { DISABLED_FEATURES, toolchain } from '../toolchain.ts'
import { installShippedToolchain, type InstalledToolchain } from '../shipped/install-toolchain.ts'
import { errorMessage } from '../../shared/error-message.ts'
import { KIT_FILES, kitDir, type KitMeta } from './kit-files.ts'
import type { KitRef } from './snapshot-process.ts'

export interface LoadedKit {
  meta: KitMeta
  /** What a snapshot process needs to find the kit. */
  ref: KitRef
  /** Whether this process built the engine (resolved: the engine is on disk). */
  engineReady: Promise<{ built: boolean; instrumentMs: number; timings?: Record<string, number> }>
  /** Set when this process built the kit: how long each step took. */
  kitTimings?: Record<string, number>
  /** Set when this process installed the kit (and maybe the engine) shipped with the package. */
  installed?: InstalledToolchain
}

const kits = new Map<string, Promise<LoadedKit>>()

async function readMeta(dir: string, cacheDir: string): Promise<KitMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, KIT_FILES.meta), 'utf8')) as KitMeta
    return existsSync(join(cacheDir, 'engines', meta.engineId, ENGINE_META)) ? meta : undefined
  } catch {
    return undefined
  }
}

export interface KitEvents {
  /** This process is about to build the kit and the engine. */
  onBuild?: () => void
  /** Another process holds the kit's lock or the machine's compile slots. */
  onWait?: (reason: string) => void
  /** The package's shipped kit failed its checks: it is built from source instead. */
  onRejected?: (reason: string) => void
}

async function openKit(cacheDir: string, toolchainId: string, events: KitEvents): Promise<LoadedKit> {
  const dir = kitDir(cacheDir, toolchainId)
  const cached = await readMeta(dir, cacheDir)
  if (cached) return { meta: cached, ref: { dir, meta: cached }, engineReady: Promise.resolve({ built: false, instrumentMs: 0 }) }
  let built: Partial<Pick<LoadedKit, 'engineReady' | 'kitTimings' | 'installed'>> | undefined
  // A kit this process builds is answered as soon as the child announces it (its files are on
  // disk, all but kit.json), so the first module's snapshot overlaps the engine's instrumentation;
  // the kit's lock is held until the engine and then kit.json are on disk (engineReady).
  let announce!: (kit: LoadedKit) => void
  const announced = new Promise<LoadedKit>((resolve) => {
    announce = resolve
  })
  // The kit's lock lives in kits/locks (a module's entry lock, in locks/, may be held around this).
  const opened = compileOnce(join(cacheDir, 'kits'), dir, {
    cached: () => readMeta(dir, cacheDir),
    install: async () => {
      try {
        const installed = await installShippedToolchain(cacheDir, toolchainId, dir)
        if (installed) built = { installed }
        return installed?.meta
      } catch (error) {
        // Never used when it fails a check: said, then built from source as if not shipped.
        events.onRejected?.(errorMessage(error))
        return undefined
      }
    },
    build: async () => {
      events.onBuild?.()
      const build = buildKitInChild({
        witPath: WIT_FILE,
        worldName: 'capsule',
        cacheDir,
        kitDir: dir,
        disableFeatures: DISABLED_FEATURES,
        componentizeJs: toolchain().componentizeJs,
      })
      const { meta, timings } = await build.kit
      const engineReady = build.engine.then((engine) => ({ built: engine.engineBuilt, instrumentMs: engine.instrumentMs, timings: engine.timings }))
      built = { engineReady, kitTimings: timings }
      announce({ meta, ref: { dir, meta }, engineReady, kitTimings: timings })
      await engineReady
      return meta
    },
  }, { onWait: (reason) => events.onWait?.(`waiting for the shared engine: ${reason}`) })
    .then((meta): LoadedKit => ({ meta, ref: { dir, meta }, engineReady: Promise.resolve({ built: false, instrumentMs: 0 }), ...built }))
  // Once announced, a failure reaches the caller through engineReady.
  opened.catch(() => {})
  return Promise.race([announced, opened])
}

function engineOnDisk(cacheDir: string, meta: KitMeta): boolean {
  return existsSync(join(cacheDir, 'engines', meta.engineId, ENGINE_META))
}

/** The kit for this cache dir and toolchain, loaded (or built) once per process. */
export async function loadKit(cacheDir: string, toolchainId: string, events: KitEvents = {}): Promise<LoadedKit> {
  const key = kitDir(cacheDir, toolchainId)
  const known = kits.get(key)
  if (known) {
    const kit = await known.catch(() => undefined)
    // Still building, or still there: reuse. Gone (a cleared cache dir): load or build again.
    if (kit && (!engineSettled.has(kit) || engineOnDisk(cacheDir, kit.meta))) return kit
    if (kits.get(key) === known) kits.delete(key)
    return loadKit(cacheDir, toolchainId, events)
  }
  const opening = openKit(cacheDir, toolchainId, events)
  kits.set(key, opening)
  const forget = () => {
    if (kits.get(key) === opening) kits.delete(key)
  }
  opening.then((kit) => kit.engineReady.then(() => engineSettled.add(kit), forget), forget)
  return opening
}

/** Kits whose engine build has finished (so the engine must be on disk). */
const engineSettled = new WeakSet<LoadedKit>()
