// Child process entry: builds what every task module of one toolchain shares, once. With
// componentize-js's own pieces (see snapshot/protocol.ts) it splices our WIT world into
// StarlingMonkey, keeps that pre-init engine for the per-module snapshot (the "kit"), and makes
// the runnable engine from the same splice: wizer's init exports dropped, unused WASI stubbed,
// wrapped as a component, transpiled by jco, split (no data) and instrumented for fuel. The kit
// names the engine it belongs to. binaryen and the splicer stay out of the long-lived host process.
// The critical path is kept short on two cores: binaryen loads in a thread of its own
// (engine/instrument-thread.ts) during the splice, instruments the engine's code as soon as
// stubWasi has made it (engine/early-engine.ts) while componentNew and transpile run, and the kit
// is announced to the host as soon as the engine's id is known, so the host snapshots the first
// module while the engine is still being instrumented. On disk the order stays: the engine, then
// the kit that names it, then the 'engine' message.
import './preview2-shim-resolution.ts'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeTaskData } from '../formats/task-data.ts'
import { GLUE_FILE, MAIN_CORE } from '../formats/layout.ts'
import { carryOver, earlyCore } from './engine/early-engine.ts'
import { prepareEngine, storeEngine } from './engine/engine-store.ts'
import { startInstrumentThread, type InstrumentThread, type InstrumentedEngine } from './engine/instrument-thread.ts'
import { readGlobals, readSections, SECTION } from './engine/wasm-reader.ts'
import { splitCore, splitEngine } from './engine/split-core.ts'
import { componentMetadata, featuresKept, INIT_EXPORTS, loadSplicer, readStarlingMonkey, wizerEnvironment } from './snapshot/protocol.ts'
import { editExports } from './snapshot/wasm-exports.ts'
import { KIT_FILES, type KitMeta, type SnapshotGlobalLink } from './snapshot/kit-files.ts'
import { errorMessage } from '../shared/error-message.ts'

export interface KitJob {
  witPath: string
  worldName: string
  cacheDir: string
  /** Where the kit goes (written to a staging dir, renamed into place). */
  kitDir: string
  disableFeatures: string[]
  componentizeJs: string
}

export type KitMessage =
  /** Enough to snapshot modules: the kit's files are on disk, all but kit.json (the engine is not yet). */
  | { kind: 'kit'; meta: KitMeta; timings: Record<string, number> }
  /** The engine and then kit.json are on disk. */
  | { kind: 'engine'; engineBuilt: boolean; instrumentMs: number; timings: Record<string, number> }
  | { kind: 'error'; message: string }

const GLOBAL_EXPORT = 'capsule:snapshot:global:'

function mutableGlobals(core: Uint8Array): { index: number; type: number }[] {
  const section = readSections(core).find((s) => s.id === SECTION.global)
  if (!section) return []
  return readGlobals(core, section).flatMap((global, index) => (global.mutable ? [{ index, type: global.type }] : []))
}

/** Pairs the pre-init engine's mutable globals with the split engine's, in order. */
function linkGlobals(initCore: Uint8Array, engineGlobals: { index: number; type: number }[]): SnapshotGlobalLink[] {
  const initGlobals = mutableGlobals(initCore)
  if (initGlobals.length !== engineGlobals.length || initGlobals.some((g, i) => g.type !== engineGlobals[i]!.type)) {
    throw new Error(`the spliced engine's mutable globals (${JSON.stringify(initGlobals)}) do not match the runnable engine's (${JSON.stringify(engineGlobals)}): componentize-js changed how it builds components`)
  }
  return initGlobals.map((g, i) => ({ exportName: GLOBAL_EXPORT + g.index, initIndex: g.index, index: engineGlobals[i]!.index, type: g.type }))
}

/**
 * The instrumented engine: the early one carried over when it was made from the same code
 * (early-engine.ts), else the real engine instrumented now.
 */
async function instrumentedEngine(thread: InstrumentThread, early: { plain: Uint8Array; instrumented: Promise<InstrumentedEngine> }, plain: Uint8Array, timings: Record<string, number>): Promise<InstrumentedEngine> {
  const done = await early.instrumented
  timings['instrument (thread)'] = done.stats.milliseconds
  const carried = carryOver(done.wasm, early.plain, plain)
  if (carried) return { wasm: carried, stats: done.stats }
  const again = await thread.instrument(plain)
  timings['instrument again (thread)'] = again.stats.milliseconds
  return again
}

async function buildKit(job: KitJob, send: (message: KitMessage) => Promise<void>, thread: InstrumentThread): Promise<void> {
  const timings: Record<string, number> = {}
  let mark = performance.now()
  const lap = (name: string) => {
    const now = performance.now()
    timings[name] = Math.round(now - mark)
    mark = now
  }
  // componentize-js reads the WIT through preview2-shim's filesystem, which (hoisted, 0.26)
  // has no preopens unless set: without this it fails with "os error 44".
  const filesystem = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as {
    _setPreopens(preopens: Record<string, string>): void
  }
  filesystem._setPreopens({ '/': '/' })
  const splicer = await loadSplicer()
  const features = featuresKept(job.disableFeatures)
  lap('load')
  const splice = splicer.spliceBindings(await readStarlingMonkey(), features, undefined, job.witPath, job.worldName, false)
  lap('splice')

  // The runnable engine: what wizer + stubWasi + componentNew + jco make of it, minus the data.
  const stubbed = splicer.stubWasi(editExports(splice.wasm, { drop: [INIT_EXPORTS.initialize, INIT_EXPORTS.wizer] }), features, undefined, job.witPath, job.worldName)
  lap('stubWasi')
  // Its code is known now: the thread instruments it while componentNew and transpile run.
  const earlyPlain = splitEngine(earlyCore(stubbed))
  const early = { plain: earlyPlain, instrumented: thread.instrument(earlyPlain) }
  early.instrumented.catch(() => {}) // not awaited when the engine is on disk already
  lap('handOff')
  const { componentNew, metadataAdd, preview1AdapterReactorPath, transpile } = await import('@bytecodealliance/jco')
  const component = await metadataAdd(
    await componentNew(stubbed, [['wasi_snapshot_preview1', await readFile(preview1AdapterReactorPath())]]),
    componentMetadata(job.componentizeJs),
  )
  lap('componentNew')
  const { files } = await transpile(component, { name: 'component', instantiation: 'sync', noTypescript: true, quiet: true })
  lap('transpile')
  const core = files[MAIN_CORE]
  if (!core) throw new Error(`jco produced no ${MAIN_CORE}`)
  const split = splitCore(core)
  lap('split')
  // (Checked here, off the critical path: this thread has time to spare while the other instruments.)
  const exported = new Set(WebAssembly.Module.exports(new WebAssembly.Module(splice.wasm as Uint8Array<ArrayBuffer>)).map((e) => e.name))
  for (const name of Object.values(INIT_EXPORTS)) {
    if (!exported.has(name)) throw new Error(`componentize-js ${job.componentizeJs}: the spliced engine has no "${name}" export; the snapshot protocol changed`)
  }
  // The per-toolchain support files the runtime loads: the jco glue and its adapter modules.
  // (Per-toolchain rewrites of the glue belong here, once, before it is stored.)
  const glue = files[GLUE_FILE]
  if (!glue) throw new Error(`jco produced no ${GLUE_FILE}`)
  const support = new Map(Object.entries(files).filter(([name]) => name !== MAIN_CORE && name.endsWith('.wasm')))
  support.set(GLUE_FILE, glue)

  // The kit: the pre-init engine with its mutable globals exported, the bindings, the protocol.
  const globals = linkGlobals(splice.wasm, decodeTaskData(split.taskData).globals)
  const initWasm = editExports(splice.wasm, { globals: globals.map((g) => [g.exportName, g.initIndex]) })
  // The engine's id (the glue patched by the engine store) is all the kit needs of it.
  const engine = prepareEngine({ engineKey: split.engineKey, plainEngine: split.engine, support })
  const meta: KitMeta = {
    componentizeJs: job.componentizeJs,
    env: wizerEnvironment(splice, features),
    globals,
    engineId: engine.id,
    engineKey: split.engineKey,
    supportFiles: [...support.keys()].sort(),
  }
  lap('prepare')
  // The kit's files but kit.json, which says the kit is complete and names the engine: written
  // last, once the engine is on disk. Snapshots can start from these now.
  await rm(job.kitDir, { recursive: true, force: true })
  await mkdir(job.kitDir, { recursive: true })
  await writeFile(join(job.kitDir, KIT_FILES.initWasm), initWasm)
  await writeFile(join(job.kitDir, KIT_FILES.initializer), splice.jsBindings)
  lap('writeKit')
  await send({ kind: 'kit', meta, timings: { ...timings } })
  lap('announce')
  // What the thread took (it ran alongside the steps above): reported apart from this thread's laps.
  const threadTimings: Record<string, number> = {}
  const stored = await storeEngine(job.cacheDir, engine, async () => {
    const instrumented = await instrumentedEngine(thread, early, split.engine, threadTimings)
    lap('instrumentWait')
    return instrumented
  })
  lap('writeEngine')
  const staging = join(job.kitDir, `${KIT_FILES.meta}.tmp-${process.pid}`)
  await writeFile(staging, JSON.stringify(meta))
  await rename(staging, join(job.kitDir, KIT_FILES.meta))
  lap('writeKitMeta')
  // (Not waited for: when the engine was on disk already, binaryen may still be loading.)
  const loadMs = thread.loadMs()
  if (loadMs !== undefined) threadTimings['binaryen load (thread)'] = loadMs
  const cpu = process.cpuUsage()
  threadTimings['cpu (child process)'] = Math.round((cpu.user + cpu.system) / 1000)
  await send({ kind: 'engine', engineBuilt: stored.built, instrumentMs: stored.instrumentMs, timings: { ...timings, ...threadTimings } })
}

const send = (message: KitMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()))

process.once('message', (job: KitJob) => {
  // First: binaryen loads in this thread while the splice runs.
  const thread = startInstrumentThread()
  buildKit(job, send, thread).then(
    () => thread.close().then(() => process.exit(0)),
    (error: unknown) => send({ kind: 'error', message: errorMessage(error) }).then(() => process.exit(0)),
  )
})
