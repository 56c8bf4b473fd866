// esbuild: unplugin's emitFile only writes when `outdir` is set, so the artifacts and the manifest
// are written here, on a successful build's end: into `outdir`, else next to `outfile`, or added
// to `outputFiles` when `write: false`.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { OutputFile, PluginBuild } from 'esbuild'
import type { CapsuleContext } from '../context.ts'

export function esbuildHooks(ctx: CapsuleContext, build: PluginBuild): void {
  const options = build.initialOptions
  const cwd = options.absWorkingDir ?? process.cwd()
  ctx.setRoot(cwd)
  // esbuild has no logger for plugins: write as its own info messages go, unless told to be quieter.
  const quiet = options.logLevel === 'silent' || options.logLevel === 'error' || options.logLevel === 'warning'
  ctx.logger = (message) => {
    if (!quiet) process.stderr.write(`[unplugin-capsule] ${message}\n`)
  }
  build.onStart(() => ctx.reset())
  build.onEnd(async (result) => {
    if (result.errors.length > 0) return
    const assets = await ctx.outputAssets()
    if (assets.length === 0) return
    const outDir = options.outdir ?? (options.outfile ? dirname(options.outfile) : undefined)
    if (outDir === undefined) {
      result.warnings.push({ id: 'capsule', pluginName: 'unplugin-capsule', text: 'unplugin-capsule: set `outdir` or `outfile` so the task artifacts and the manifest can be written next to the bundle', location: null, notes: [], detail: undefined })
      return
    }
    const base = resolve(cwd, outDir)
    if (options.write === false) {
      for (const asset of assets) result.outputFiles?.push(outputFile(join(base, asset.fileName), asset.source))
      return
    }
    await Promise.all(assets.map(async (asset) => {
      const path = join(base, asset.fileName)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, asset.source)
    }))
  })
}

function outputFile(path: string, source: string | Uint8Array): OutputFile {
  const contents = typeof source === 'string' ? new TextEncoder().encode(source) : source
  return { path, contents, hash: '', get text() { return new TextDecoder().decode(contents) } }
}
