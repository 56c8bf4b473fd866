// Child process entry: turns one bundled guest script into a task artifact. componentize-js
// blocks its thread for seconds (wizer runs through spawnSync, which needs real stdio fds, so
// not a worker thread) and peaks near 800 MB, so it runs in its own process. Then jco
// transpiles the component, the main core module is split into the shared engine (instrumented
// for fuel once per toolchain) and this module's snapshot. Temp files always get removed.
import './preview2-shim-resolution.ts'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GLUE_FILE, MAIN_CORE, TASK_DATA_FILE } from '../runtime/engine/layout.ts'
import { storeEngine } from './engine/engine-store.ts'
import { splitCore } from './engine/split-core.ts'

export interface ComponentizeJob {
  sourcePath: string
  witPath: string
  /** The module's artifact directory (staging). */
  outDir: string
  cacheDir: string
  tmpRoot: string
  disableFeatures: string[]
}

export interface ComponentizeResult {
  engineId: string
  engineDir: string
  engineKey: string
  memoryPages: number
  engineBuilt: boolean
  instrumentMs: number
  supportFiles: string[]
}

async function componentizeJob(job: ComponentizeJob): Promise<ComponentizeResult> {
  await mkdir(job.tmpRoot, { recursive: true })
  const tmpDir = await mkdtemp(join(job.tmpRoot, 'componentize-'))
  // os.tmpdir() reads TMPDIR on every call: componentize-js's temp dirs land in ours.
  process.env.TMPDIR = tmpDir
  try {
    // componentize-js reads the WIT through preview2-shim's filesystem, which (hoisted, 0.26)
    // has no preopens unless set: without this it fails with "os error 44".
    const filesystem = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as {
      _setPreopens(preopens: Record<string, string>): void
    }
    filesystem._setPreopens({ '/': '/' })
    const { componentize } = await import('@bytecodealliance/componentize-js')
    const { component } = await componentize({
      sourcePath: job.sourcePath,
      witPath: job.witPath,
      worldName: 'capsule',
      disableFeatures: job.disableFeatures as never,
    })
    const { transpile } = await import('@bytecodealliance/jco')
    const { files } = await transpile(component, { name: 'component', instantiation: 'sync', noTypescript: true, quiet: true })
    const core = files[MAIN_CORE]
    if (!core) throw new Error(`jco produced no ${MAIN_CORE}`)
    const split = splitCore(core)
    const support = new Map(Object.entries(files).filter(([name]) => name !== MAIN_CORE && (name.endsWith('.wasm') || name === GLUE_FILE)))
    const engine = await storeEngine(job.cacheDir, { engineKey: split.engineKey, plainEngine: split.engine, support })
    await mkdir(job.outDir, { recursive: true })
    await writeFile(join(job.outDir, TASK_DATA_FILE), split.taskData)
    return {
      engineId: engine.id,
      engineDir: engine.dir,
      engineKey: split.engineKey,
      memoryPages: split.memoryPages,
      engineBuilt: engine.built,
      instrumentMs: engine.instrumentMs,
      supportFiles: [...support.keys()].sort(),
    }
  } finally {
    await rm(tmpDir, { recursive: true, force: true })
  }
}

process.once('message', (job: ComponentizeJob) => {
  componentizeJob(job).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, message: error instanceof Error ? error.message : String(error) }, () => process.exit(0)),
  )
})
