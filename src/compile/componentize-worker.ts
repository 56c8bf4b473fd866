// Child process entry: turns one bundled guest script into a transpiled component on disk.
// componentize-js blocks its thread for seconds (wizer runs through spawnSync, which needs real
// stdio fds, so not a worker thread) and peaks near 800 MB, so it runs in its own process.
// Its temp files go to a private dir that is always removed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join, dirname } from 'node:path'

export interface ComponentizeJob {
  sourcePath: string
  witPath: string
  outDir: string
  tmpRoot: string
  disableFeatures: string[]
}

async function componentizeJob(job: ComponentizeJob): Promise<string[]> {
  await mkdir(job.tmpRoot, { recursive: true })
  const tmpDir = await mkdtemp(join(job.tmpRoot, 'componentize-'))
  // os.tmpdir() reads TMPDIR on every call.
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
    const { files } = await transpile(component, {
      name: 'component',
      instantiation: 'sync',
      noTypescript: true,
      quiet: true,
    })
    const written: string[] = []
    for (const [name, bytes] of Object.entries(files)) {
      const target = join(job.outDir, name)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, bytes)
      written.push(name)
    }
    return written
  } finally {
    await rm(tmpDir, { recursive: true, force: true })
  }
}

process.once('message', (job: ComponentizeJob) => {
  componentizeJob(job).then(
    (files) => process.send!({ ok: true, files }, () => process.exit(0)),
    (error: unknown) => process.send!({ ok: false, message: error instanceof Error ? error.message : String(error) }, () => process.exit(0)),
  )
})
