// The snapshot kit and shared engine the package ships (dist/toolchain/, packed by
// scripts/build-snippet.mjs): a first build of the same toolchain installs them, byte for byte what
// a build from source makes; CAPSULE_BUILD_TOOLCHAIN=1 builds them from source; a tampered or
// foreign package copy is never installed (a tampered one: the build says so and builds from source).
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { installShippedToolchain, ShippedToolchainRejected } from '../src/compile/shipped/install-toolchain.ts'
import { SHIPPED_TOOLCHAIN_INDEX, type ShippedToolchain } from '../src/compile/shipped/shipped-layout.ts'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { makeConsumerTree } from './helpers/consumer-tree.ts'

const SHIPPED = join(REPO_ROOT, 'dist', 'toolchain')
/** The repository's own cache: the package build made its kit and engine from source there. */
const REPO_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'capsule')

function shippedIndex(): { dir: string; index: ShippedToolchain } {
  const [id, ...others] = readdirSync(SHIPPED)
  expect(others, 'one shipped toolchain').toEqual([])
  const dir = join(SHIPPED, id!)
  return { dir, index: JSON.parse(readFileSync(join(dir, SHIPPED_TOOLCHAIN_INDEX), 'utf8')) as ShippedToolchain }
}

/** sha256 of every file of a folder (dot files — the runtime's digest notes — left out). */
function digests(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((name) => !name.startsWith('.')).sort()
    .map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]))
}

const temps: string[] = []
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A new project with one task module; its cache is its own (node_modules/.cache/capsule). */
function project(result: string): { root: string; cache: string } {
  const root = mkdtempSync(join(tmpdir(), 'capsule-shipped-toolchain-'))
  temps.push(root)
  writeFileSync(join(root, 'main.capsule.ts'), `import { task } from 'unplugin-capsule'\nexport const main = task({ name: 'main' }, () => ${JSON.stringify(result)})\n`)
  return { root, cache: join(root, 'node_modules', '.cache', 'capsule') }
}

/** `capsule run` of a new project's module (its first build), which must answer `result`. */
async function firstRun(result: string, env: Record<string, string>) {
  const { root, cache } = project(result)
  const run = await runCli(['run', 'main.capsule.ts', '--json', '--verbose'], { cwd: root, env })
  expect(run.code, run.stderr).toBe(0)
  expect(JSON.parse(run.stdout)).toMatchObject({ success: true, result })
  return { root, cache, run }
}

describe('the toolchain shipped with the package', () => {
  it('is installed by a first build: the same kit and engine a build from source makes, and a module runs on it', async () => {
    const { index } = shippedIndex()
    const { root, cache, run } = await firstRun('on the shipped engine', { CAPSULE_BUILD_TOOLCHAIN: '' })
    expect(run.stderr).toMatch(new RegExp(`installed the shared engine ${index.engine.id} and its snapshot kit shipped with unplugin-capsule \\d+\\.\\d+\\.\\d+\\S* \\(toolchain ${index.toolchainId.slice(0, 12)}\\)`))
    expect(run.stderr).not.toMatch(/building the shared engine|instrumented the shared engine/)

    const kit = join('kits', index.toolchainId.slice(0, 32))
    const engine = join('engines', index.engine.id)
    // The repository's cache was built from source (the package build forces it): it holds the
    // uninstrumented engine too, which is never shipped.
    expect(existsSync(join(REPO_CACHE, engine, 'engine.plain.wasm')), 'the repository cache built from source').toBe(true)
    expect(digests(join(cache, kit))).toEqual(digests(join(REPO_CACHE, kit)))
    const { 'engine.plain.wasm': plain, ...fromSource } = digests(join(REPO_CACHE, engine))
    expect(plain).toBeDefined()
    expect(digests(join(cache, engine))).toEqual(fromSource)

    // A second module reuses it.
    writeFileSync(join(root, 'two.capsule.ts'), "import { task } from 'unplugin-capsule'\nexport const main = task({ name: 'main' }, () => 2)\n")
    const second = await runCli(['run', 'two.capsule.ts', '--json', '--verbose'], { cwd: root })
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toMatch(/reused the shared engine/)
    expect(second.stderr).not.toMatch(/installed the/)
  }, 300_000)

  it('is not used with CAPSULE_BUILD_TOOLCHAIN=1: the kit and the engine are built from source, the same bytes as shipped', async () => {
    const { index } = shippedIndex()
    const { cache, run } = await firstRun('on an engine built from source', { CAPSULE_BUILD_TOOLCHAIN: '1' })
    expect(run.stderr).toMatch(/building the shared engine \(once per toolchain\)/)
    expect(run.stderr).toMatch(new RegExp(`instrumented the shared engine ${index.engine.id} for fuel`))
    expect(run.stderr).not.toMatch(/installed the/)
    const installed = (files: ShippedToolchain['kit']) => Object.fromEntries(files.map((file) => [file.name, file.sha256]).sort())
    expect(digests(join(cache, 'kits', index.toolchainId.slice(0, 32)))).toEqual(installed(index.kit))
    const { 'engine.plain.wasm': plain, ...engine } = digests(join(cache, 'engines', index.engine.id))
    expect(plain).toBeDefined()
    expect(engine).toEqual(installed(index.engine.files))
  }, 600_000)
})

describe('a tampered package', () => {
  it('is never used: the build says so and makes the kit and the engine from source', async () => {
    const { index } = shippedIndex()
    const tree = makeConsumerTree('tampered', 'nested')
    temps.push(tree.root)
    const shipped = join(tree.root, 'node_modules', 'unplugin-capsule', 'dist', 'toolchain', index.toolchainId.slice(0, 32))
    const init = index.kit.find((file) => file.name === 'init.wasm')!
    const stored = readFileSync(join(shipped, init.stored))
    stored[stored.length >> 1]! ^= 0xff
    writeFileSync(join(shipped, init.stored), stored)
    writeFileSync(join(tree.root, 'main.capsule.ts'), "import { task } from 'unplugin-capsule'\nexport const main = task({ name: 'main' }, () => 'still built')\n")
    const run = await runCli(['run', 'main.capsule.ts', '--json', '--verbose'], { cwd: tree.root, bin: tree.bin, env: { CAPSULE_BUILD_TOOLCHAIN: '' } })
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ success: true, result: 'still built' })
    expect(run.stderr).toMatch(/not using the shared engine shipped with unplugin-capsule: \S+init\.wasm\.gz: its bytes are not the ones shipped/)
    expect(run.stderr).toMatch(/building the shared engine \(once per toolchain\)/)
    expect(run.stderr).not.toMatch(/installed the/)
    const cache = join(tree.root, 'node_modules', '.cache', 'capsule')
    expect(digests(join(cache, 'kits', index.toolchainId.slice(0, 32)))['init.wasm']).toBe(init.sha256)
  }, 600_000)
})

describe('installing a shipped toolchain', () => {
  /** A copy of the package's shipped files, laid out as in the package (the engine's under dist/snippet/). */
  function packageCopy(): { pkg: string; dir: string; index: ShippedToolchain } {
    const { dir, index } = shippedIndex()
    const pkg = mkdtempSync(join(tmpdir(), 'capsule-shipped-package-'))
    temps.push(pkg)
    const copy = join(pkg, 'dist', 'toolchain', index.toolchainId.slice(0, 32))
    cpSync(dir, copy, { recursive: true })
    cpSync(join(REPO_ROOT, 'dist', 'snippet'), join(pkg, 'dist', 'snippet'), { recursive: true })
    return { pkg, dir: copy, index }
  }

  function emptyCache(): { cache: string; kit: (id: string) => string } {
    const cache = mkdtempSync(join(tmpdir(), 'capsule-shipped-cache-'))
    temps.push(cache)
    return { cache, kit: (id) => join(cache, 'kits', id.slice(0, 32)) }
  }

  it('installs a verified copy', async () => {
    const { pkg, index } = packageCopy()
    const { cache, kit } = emptyCache()
    const installed = await installShippedToolchain(cache, index.toolchainId, kit(index.toolchainId), { packageDir: pkg })
    expect(installed).toMatchObject({ capsule: index.capsule, engineInstalled: true, meta: { engineId: index.engine.id } })
    expect(readdirSync(join(cache, 'engines', index.engine.id)).sort()).toEqual(index.engine.files.map((file) => file.name).sort())
  })

  it('installs nothing with CAPSULE_BUILD_TOOLCHAIN=1 (the from-source switch)', async () => {
    const { pkg, index } = packageCopy()
    const { cache, kit } = emptyCache()
    const before = process.env.CAPSULE_BUILD_TOOLCHAIN
    process.env.CAPSULE_BUILD_TOOLCHAIN = '1'
    try {
      expect(await installShippedToolchain(cache, index.toolchainId, kit(index.toolchainId), { packageDir: pkg })).toBeUndefined()
    } finally {
      if (before === undefined) delete process.env.CAPSULE_BUILD_TOOLCHAIN
      else process.env.CAPSULE_BUILD_TOOLCHAIN = before
    }
    expect(existsSync(join(cache, 'kits'))).toBe(false)
  })

  it('refuses a tampered file, naming it, and writes nothing', async () => {
    const { pkg, dir, index } = packageCopy()
    const init = index.kit.find((file) => file.name === 'init.wasm')!
    const stored = readFileSync(join(dir, init.stored))
    stored[stored.length >> 1]! ^= 0xff
    writeFileSync(join(dir, init.stored), stored)
    const { cache, kit } = emptyCache()
    const install = installShippedToolchain(cache, index.toolchainId, kit(index.toolchainId), { packageDir: pkg })
    await expect(install).rejects.toThrow(ShippedToolchainRejected)
    await expect(install).rejects.toThrow(/init\.wasm\.gz: its bytes are not the ones shipped .*CAPSULE_BUILD_TOOLCHAIN=1/)
    expect(existsSync(join(cache, 'kits'))).toBe(false)
    expect(existsSync(join(cache, 'engines'))).toBe(false)
  })

  it('refuses an engine file changed in the snippet it is shipped with', async () => {
    const { pkg, dir, index } = packageCopy()
    const glue = index.engine.files.find((file) => file.name === 'component.js')!
    writeFileSync(join(dir, glue.stored), `${readFileSync(join(dir, glue.stored), 'utf8')}\nglobalThis.owned = true\n`)
    const { cache, kit } = emptyCache()
    await expect(installShippedToolchain(cache, index.toolchainId, kit(index.toolchainId), { packageDir: pkg })).rejects.toThrow(/component\.js: its bytes are not the ones shipped/)
    expect(existsSync(join(cache, 'kits'))).toBe(false)
  })

  it('ignores another toolchain, even under the shipped folder name', async () => {
    const { pkg, dir, index } = packageCopy()
    const other = `${index.toolchainId.slice(0, 32)}${'0'.repeat(32)}`
    expect(other).not.toBe(index.toolchainId)
    const { cache, kit } = emptyCache()
    expect(await installShippedToolchain(cache, other, kit(other), { packageDir: pkg })).toBeUndefined()
    // And a toolchain the package does not ship at all.
    rmSync(dir, { recursive: true })
    mkdirSync(dir)
    expect(await installShippedToolchain(cache, index.toolchainId, kit(index.toolchainId), { packageDir: pkg })).toBeUndefined()
    expect(existsSync(join(cache, 'kits'))).toBe(false)
  })
})
