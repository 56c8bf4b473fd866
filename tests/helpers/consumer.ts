// A consumer project as a user has it: the package installed from the tarball `npm pack` makes
// (so only the files it ships), Vitest 4, and the project's own files copied from a fixture or an
// example into a temp folder of its own. The tarball's dependencies are linked from this
// repository's node_modules (offline, seconds instead of a 380 MB install); the compile cache
// (node_modules/.cache/capsule) is linked to the repository's, shared and keyed by content.
import { execFile, execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { REPO_ROOT } from './cli.ts'

const REPO_CACHE = join(REPO_ROOT, 'node_modules/.cache/capsule')
let tarball: string | undefined

/** `npm pack` of the built package (dist/ must be built), once per test file. */
export function packedTarball(): string {
  if (tarball) return tarball
  const dir = mkdtempSync(join(tmpdir(), 'capsule-test-pack-'))
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, encoding: 'utf8' })
  const [{ filename }] = JSON.parse(out) as [{ filename: string }]
  tarball = join(dir, filename)
  return tarball
}

function link(root: string, name: string): void {
  const target = join(root, 'node_modules', name)
  mkdirSync(dirname(target), { recursive: true })
  symlinkSync(join(REPO_ROOT, 'node_modules', name), target, 'dir')
}

export interface ConsumerOptions {
  /** The compile cache: the repository's (default), or a dir of the test's own. */
  cacheDir?: string
}

/** A temp project holding `from`'s files, with the packed package and Vitest installed. */
export function makeConsumer(name: string, from: string, options: ConsumerOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), `capsule-test-${name}-`))
  cpSync(from, root, { recursive: true })
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `capsule-consumer-${name}`, private: true, type: 'module' }))
  const installed = join(root, 'node_modules/unplugin-capsule')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', packedTarball(), '-C', installed, '--strip-components=1'])
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies: Record<string, string> }
  // A normal install brings the optional dependencies (the build toolchain) too.
  for (const dependency of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.optionalDependencies), 'vitest', 'typescript', '@types/node']) link(root, dependency)
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true })
  symlinkSync(options.cacheDir ?? REPO_CACHE, join(root, 'node_modules/.cache/capsule'), 'dir')
  return root
}

/** Removes temp projects or caches (links are removed, never what they point to). */
export function removeTemp(...paths: (string | undefined)[]): void {
  for (const path of paths) if (path) rmSync(path, { recursive: true, force: true })
}

/** Removes this test file's tarball (call once its consumers are made). */
export function removeTarball(): void {
  if (tarball) rmSync(dirname(tarball), { recursive: true, force: true })
  tarball = undefined
}

export interface RunResult { code: number; output: string }

/** The environment of a child process: none of this Vitest worker's VITEST_* variables leak in. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')))
  return { ...env, NO_COLOR: '1', CI: '1', ...extra }
}

/** `node <script> ...args` in the project, e.g. `vitest run <filter>` as its user would type it. */
export function runIn(root: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 420_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, script), ...args], { cwd: root, env: childEnv(env), maxBuffer: 16 * 1024 * 1024, timeout }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, output: `${stdout}\n${stderr}` })
    })
  })
}

/** `vitest run [filter]` in the project. */
export function vitestRun(root: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, timeout?: number): Promise<RunResult> {
  return runIn(root, 'node_modules/vitest/vitest.mjs', ['run', ...args], env, timeout)
}
