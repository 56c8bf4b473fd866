// The plugin reads the project's capsule.config too (its own options override it), so `vite build`
// and `capsule build` ship the same policies. A cold compile reports its progress through Vite's
// own logger: when it starts, then how long each phase took.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Logger } from 'vite'
import { CACHE_DIR, deploymentDir } from '../fixtures/plugin/helpers.ts'
import { runCli } from './helpers/cli.ts'

interface Manifest { modules: { source: string; tasks: { name: string; policy: Record<string, unknown> }[] }[] }

function makeProject(): string {
  const project = deploymentDir('capsule-plugin-config')
  writeFileSync(join(project, 'capsule.config.ts'), [
    "import { defineConfig } from 'unplugin-capsule'",
    `export default defineConfig({ cacheDir: ${JSON.stringify(CACHE_DIR)}, defaults: { compute: 'low', timeout: '7s', envVariables: ['LOG_LEVEL'] } })`,
  ].join('\n'))
  mkdirSync(join(project, 'tasks'))
  writeFileSync(join(project, 'tasks/work.capsule.ts'), [
    "import { task } from 'unplugin-capsule'",
    `export const work = task({ name: 'work', ram: '64MB' }, () => 'work ${process.pid} ${Date.now()}')`,
    "export const heavy = task({ name: 'heavy', compute: 'high' }, () => 'heavy')",
  ].join('\n'))
  writeFileSync(join(project, 'main.ts'), "import { work } from './tasks/work.capsule.ts'\nconsole.log(JSON.stringify(await work()))\n")
  return project
}

function recordingLogger(lines: string[]): Logger {
  const record = (message: string) => {
    lines.push(message)
  }
  return { info: record, warn: record, warnOnce: record, error: record, clearScreen: () => {}, hasErrorLogged: () => false, hasWarned: false }
}

async function viteBuild(project: string, outDir: string, options: object, lines: string[]): Promise<Manifest> {
  const [{ build }, { default: capsule }] = await Promise.all([import('vite'), import('unplugin-capsule/vite')])
  await build({
    root: project, configFile: false, logLevel: 'info', customLogger: recordingLogger(lines),
    plugins: [capsule(options)],
    build: { ssr: 'main.ts', outDir, emptyOutDir: true, target: 'node20', rolldownOptions: { output: { entryFileNames: '[name].mjs' }, checks: { pluginTimings: false } } },
  })
  return JSON.parse(readFileSync(join(outDir, 'capsule.manifest.json'), 'utf8')) as Manifest
}

/** '4.2 s' or '1 min 5 s' (a busy machine). */
const ELAPSED = String.raw`(\d+ min )?[\d.]+ s`

const policies = (manifest: Manifest) => manifest.modules.flatMap((module) => module.tasks.map((task) => ({ module: module.source, name: task.name, policy: task.policy })))

describe('capsule.config under the plugin', () => {
  it('vite build and capsule build ship the same policies; plugin options override the config', async () => {
    const project = makeProject()
    const lines: string[] = []
    const fromVite = await viteBuild(project, join(project, 'dist-vite'), {}, lines)
    const cli = await runCli(['build', '--out-dir', 'dist-cli', '--json'], { cwd: project })
    expect(cli.stderr).toBe('')
    expect(cli.code).toBe(0)
    const fromCli = JSON.parse(readFileSync(join(project, 'dist-cli/capsule.manifest.json'), 'utf8')) as Manifest

    expect(policies(fromVite)).toEqual(policies(fromCli))
    expect(policies(fromVite)).toEqual([
      expect.objectContaining({ module: 'tasks/work.capsule.ts', name: 'work', policy: expect.objectContaining({ fuel: 100_000_000, timeout: 7000, ram: 64 * 1024 ** 2, env: ['LOG_LEVEL'] }) }),
      expect.objectContaining({ name: 'heavy', policy: expect.objectContaining({ fuel: 50_000_000_000, timeout: 7000 }) }),
    ])

    // Progress on Vite's logger, once as the cold compile starts and once when it is done.
    const progress = lines.filter((line) => line.includes('[unplugin-capsule]'))
    expect(progress).toEqual([
      expect.stringMatching(/compiling tasks\/work\.capsule\.ts into a sandbox \((waiting for a compile slot|componentize \+ snapshot); a cold compile takes/),
      expect.stringMatching(new RegExp(String.raw`compiled tasks/work\.capsule\.ts in ${ELAPSED} \(bundling ${ELAPSED}, (waiting for a compile slot ${ELAPSED}, )?componentize \+ snapshot ${ELAPSED}`)),
    ])

    const overridden = await viteBuild(project, join(project, 'dist-override'), { defaults: { compute: 'medium' } }, [])
    expect(policies(overridden)[0]!.policy).toMatchObject({ fuel: 2_000_000_000, timeout: 7000 })
  }, 600_000)

  it('a bad default in the config fails the vite build naming the file', async () => {
    const project = makeProject()
    writeFileSync(join(project, 'capsule.config.ts'), "export default { defaults: { compute: 'FAST' } }\n")
    await expect(viteBuild(project, join(project, 'dist'), {}, [])).rejects.toThrow(/capsule\.config\.ts: option "compute" \(in defaults\): 'FAST'/)
  })
})
