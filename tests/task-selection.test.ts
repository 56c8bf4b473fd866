// `capsule build` and `vite build` select the same task modules for the same include/exclude
// (fixtures/selection: a glob into nested dirs, a RegExp beside it, an excluded dir, a plain .mts
// module, a module outside the glob). Both go through plugin/task-filter.ts; the globs are
// relative to the project root, not to the process's cwd (this test runs Vite with the
// repository as cwd). Once with the patterns in capsule.config.mjs (read by both), once with them
// as the plugin's own options.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { CACHE_DIR } from '../fixtures/plugin/helpers.ts'
import { REPO_ROOT, runCli } from './helpers/cli.ts'

const FIXTURE = join(REPO_ROOT, 'fixtures/selection')
const EXPECTED = ['other/outside.capsule.ts', 'tasks/nested/deep/inner.capsule.ts', 'tasks/top.capsule.ts']
const work = mkdtempSync(join(tmpdir(), 'capsule-selection-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const modulesOf = (dir: string): string[] => (JSON.parse(readFileSync(join(dir, 'capsule.manifest.json'), 'utf8')) as { modules: { source: string }[] }).modules.map((module) => module.source).sort()

async function viteBuild(root: string, outDir: string, options: object): Promise<void> {
  const [{ build }, { default: capsule }] = await Promise.all([import('vite'), import('unplugin-capsule/vite')])
  await build({
    root, configFile: false, logLevel: 'silent', plugins: [capsule(options)],
    build: { ssr: join(root, 'main.ts'), outDir, emptyOutDir: true, target: 'node20', rolldownOptions: { checks: { pluginTimings: false } } },
  })
}

it('selects the same modules in capsule build and vite build, from capsule.config or the plugin options', async () => {
  const cli = join(work, 'cli')
  const { code, stderr } = await runCli(['build', '--out-dir', cli, '--json'], { cwd: FIXTURE })
  expect(stderr).toBe('')
  expect(code).toBe(0)
  expect(modulesOf(cli)).toEqual(EXPECTED)

  const fromConfig = join(work, 'vite-config')
  await viteBuild(FIXTURE, fromConfig, {})
  expect(modulesOf(fromConfig)).toEqual(modulesOf(cli))

  // The same patterns as the plugin's own options, in a copy of the project without the config file.
  const { include, exclude } = (await import(join(FIXTURE, 'selection.mjs'))) as { include: (string | RegExp)[]; exclude: string[] }
  const copy = join(work, 'project')
  cpSync(FIXTURE, copy, { recursive: true, filter: (path) => !path.endsWith('capsule.config.mjs') })
  mkdirSync(join(copy, 'node_modules'))
  symlinkSync(REPO_ROOT, join(copy, 'node_modules/unplugin-capsule'), 'dir') // the modules left unsandboxed import it
  const fromOptions = join(work, 'vite-options')
  await viteBuild(copy, fromOptions, { include, exclude, cacheDir: CACHE_DIR })
  expect(modulesOf(fromOptions)).toEqual(modulesOf(cli))
}, 600_000)
