// A built app in production, installed without the compiler toolchain: the fixture app is built
// with Vite (the plugin emits artifacts + manifest), copied into a fresh folder whose only
// dependency is the `npm pack` tarball of this package installed from the registry with
// `--omit=optional --omit=dev --omit=peer` (what a production image runs). The app answers
// success envelopes there; the toolchain is not installed; `capsule exec` runs the manifest and
// `capsule run` (which must compile) exits 2 naming what to install. Prints the installed size:
// node_modules plus the build output's capsule files (the shared engine included), goal <= 25 MB.
import { execFile, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { APP, bundlers } from '../fixtures/plugin/helpers.ts'
import { packedTarball, removeTarball } from './helpers/consumer.ts'

const TOOLCHAIN = ['@bytecodealliance/componentize-js', '@bytecodealliance/jco', '@bytecodealliance/wizer', '@bytecodealliance/preview2-shim', 'binaryen', 'esbuild', 'oxc-parser', 'unplugin', '@modelcontextprotocol/sdk']
const BUDGET = 25 * 1024 * 1024

const work = mkdtempSync(join(tmpdir(), 'capsule-production-'))
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
  removeTarball()
})

/** Bytes of every file under `path` (what `du --apparent-size` counts). */
function sizeOf(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((total, name) => total + sizeOf(join(path, name)), 0)
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

function run(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, GREETING: 'Hi', NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr })
    })
  })
}

it('runs a built app with a production install that has no compiler toolchain, within 25 MB', async () => {
  // Build time (a normal install: this repository).
  const built = join(work, 'build')
  await bundlers.vite.build(join(APP, 'main.ts'), APP, built)
  const tarball = packedTarball()

  // Production: a fresh folder, the build output and the package from its tarball, runtime only.
  const project = join(work, 'project')
  mkdirSync(project)
  cpSync(built, join(project, 'app'), { recursive: true })
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'capsule-production-app', private: true, type: 'module', dependencies: { 'unplugin-capsule': `file:${tarball}` } }))
  execFileSync('npm', ['install', '--omit=optional', '--omit=dev', '--omit=peer', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], { cwd: project, stdio: 'pipe' })
  const modules = join(project, 'node_modules')
  for (const name of TOOLCHAIN) expect(existsSync(join(modules, name)), `${name} is installed`).toBe(false)

  // The app answers success envelopes from its prebuilt artifacts.
  const app = await run(process.execPath, [join(project, 'app/main.mjs'), 'Ada'], project)
  expect(app.stderr).toBe('')
  expect(app.code).toBe(0)
  expect(JSON.parse(app.stdout.trim())).toMatchObject({
    greet: { success: true, result: 'Hi, Ada!', error: null, execution: { task_name: 'greet' } },
    shout: { success: true, result: 'QUIET PLEASE', error: null },
  })

  // The CLI: exec runs the manifest; run has to compile, so it names what to install.
  const bin = join(modules, 'unplugin-capsule/bin/capsule.mjs')
  const exec = await run(process.execPath, [bin, 'exec', 'app/capsule.manifest.json', 'Ada', '--task', 'tasks/greet.capsule.ts#greet', '--json'], project)
  expect(exec.stderr).toBe('')
  expect(JSON.parse(exec.stdout)).toMatchObject({ success: true, result: 'Hi, Ada!' })
  writeFileSync(join(project, 'hello.capsule.ts'), "import { task } from 'unplugin-capsule'\nexport const main = task({ name: 'main' }, () => 'hi')\n")
  const compile = await run(process.execPath, [bin, 'run', 'hello.capsule.ts', '--json'], project)
  expect(compile.code).toBe(2)
  expect(compile.stderr).toMatch(/compiling a task module needs (oxc-parser|esbuild|@bytecodealliance\/[a-z-]+|@jridgewell\/trace-mapping), an optional dependency of unplugin-capsule that is not installed .*npm install unplugin-capsule/)

  // What ships: the build output holds only what the runtime loads (no uninstrumented engine).
  const capsuleFiles = join(project, 'app/capsule')
  const shipped = readdirSync(capsuleFiles, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name)
  expect(shipped).not.toContain('engine.plain.wasm')
  const installed = sizeOf(modules)
  const output = sizeOf(capsuleFiles) + sizeOf(join(project, 'app/capsule.manifest.json'))
  const packages = readdirSync(modules).filter((name) => !name.startsWith('.')).flatMap((name) => (name.startsWith('@') ? readdirSync(join(modules, name)).map((scoped) => `${name}/${scoped}`) : [name]))
  const own = sizeOf(join(modules, 'unplugin-capsule'))
  process.stdout.write(`production install: node_modules ${mb(installed)} (unplugin-capsule ${mb(own)}, ${packages.length} packages: ${packages.join(', ')}); `
    + `build output capsule files ${mb(output)} (${shipped.join(', ')}); total ${mb(installed + output)} of ${mb(BUDGET)}\n`)
  expect(installed + output).toBeLessThanOrEqual(BUDGET)
}, 900_000)
