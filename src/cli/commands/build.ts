// `capsule build [files...] --out-dir <dir>`: compile task modules (cached) and write their
// artifacts, the shared engine and capsule.manifest.json into one folder that runs anywhere with
// the runtime alone (`capsule exec`, `run({ manifest })`, or a bundled app's proxies).
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import pc from 'picocolors'
import { buildManifest, manifestJson, OUTPUT_ARTIFACTS_DIR } from '../../plugin/manifest.ts'
import { loadConfig } from '../config.ts'
import { compileTaskModules, findTaskModules } from '../task-modules.ts'
import { UsageError } from '../usage-error.ts'

export interface BuildFlags {
  outDir?: string
  config?: string
  verbose?: boolean
  json?: boolean
}

export async function buildCommand(files: string[], flags: BuildFlags): Promise<number> {
  const cwd = process.cwd()
  const config = await loadConfig(cwd, flags.config)
  const manifestName = config.manifest === false ? 'capsule.manifest.json' : config.manifest
  const verbose = (line: string) => {
    if (flags.verbose) process.stderr.write(`${pc.dim('[capsule]')} ${line}\n`)
  }
  const targets = files.length > 0 ? files.map((file) => resolve(cwd, file)) : await findTaskModules(config)
  if (targets.length === 0) throw new UsageError(`no task modules (*.capsule.{ts,mts,js,mjs}) found under ${config.root}`)
  const outDir = resolve(cwd, flags.outDir ?? 'dist')
  const started = performance.now()
  const modules = await compileTaskModules(targets, config, verbose)
  const { manifest, files: outputs } = await buildManifest(modules, config.root, { kind: 'output' })
  const base = dirname(join(outDir, manifestName))
  // The artifacts folder is ours: clear what an earlier build left there.
  await rm(join(base, OUTPUT_ARTIFACTS_DIR), { recursive: true, force: true })
  for (const file of outputs) {
    const target = join(base, file.fileName)
    await mkdir(dirname(target), { recursive: true })
    await copyFile(file.from, target)
  }
  const manifestPath = join(outDir, manifestName)
  await mkdir(dirname(manifestPath), { recursive: true })
  await writeFile(manifestPath, manifestJson(manifest))
  const tasks = manifest.modules.reduce((sum, module) => sum + module.tasks.length, 0)
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ manifest: manifestPath, modules: manifest.modules.length, tasks })}\n`)
  } else {
    const shown = relative(cwd, manifestPath) || manifestPath
    process.stdout.write(`${pc.green('✔')} built ${manifest.modules.length} task module${manifest.modules.length === 1 ? '' : 's'} (${tasks} task${tasks === 1 ? '' : 's'}) in ${Math.round(performance.now() - started)} ms → ${shown}\n`)
    for (const module of manifest.modules) {
      process.stdout.write(`  ${module.source}: ${module.tasks.map((task) => (task.export === task.name ? task.name : `${task.name} (export ${task.export})`)).join(', ')}\n`)
    }
  }
  return 0
}
