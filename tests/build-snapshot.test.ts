// The build's snapshot step as a user meets it through the CLI: reproducible builds (the same
// source gives a byte-identical task.data and the same fuel), top-level errors reported at the
// task module's own line, an endless top-level loop stopped by the build budget, and no host
// path visible inside the sandbox.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT, runCli } from './helpers/cli.ts'
import { copyCacheDir } from './helpers/cache-copy.ts'

const deterministic = 'fixtures/build/deterministic.capsule.ts'
const temporary: string[] = []

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `capsule-build-${name}-`))
  temporary.push(dir)
  return dir
}

/** A config file pointing the CLI at `cacheDir` (and any other options). */
function config(options: Record<string, unknown>): string {
  const file = join(tempDir('config'), 'capsule.config.json')
  writeFileSync(file, JSON.stringify(options))
  return file
}

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
})

describe('reproducible builds', () => {
  const builds: { taskData: Buffer; fuel: number; result: unknown }[] = []

  beforeAll(async () => {
    // The shared engine is built once (in the project's cache) and reused; each build of the
    // module itself starts cold: no cached snapshot, no remembered bundle.
    const seed = await runCli(['build', deterministic, '--out-dir', tempDir('seed')])
    expect(seed.stderr).toBe('')
    const cacheDir = tempDir('cache')
    const projectCache = join(REPO_ROOT, 'node_modules', '.cache', 'capsule')
    copyCacheDir(join(projectCache, 'kits'), join(cacheDir, 'kits'))
    copyCacheDir(join(projectCache, 'engines'), join(cacheDir, 'engines'))
    const configFile = config({ cacheDir })
    for (let i = 0; i < 3; i++) {
      rmSync(join(cacheDir, 'components'), { recursive: true, force: true })
      rmSync(join(cacheDir, 'sources'), { recursive: true, force: true })
      const out = tempDir('out')
      const built = await runCli(['build', deterministic, '--out-dir', out, '--config', configFile])
      expect(built.code, built.stderr).toBe(0)
      const manifest = JSON.parse(readFileSync(join(out, 'capsule.manifest.json'), 'utf8')) as { modules: { artifact: { dir: string; files: { path: string }[] } }[] }
      const { artifact } = manifest.modules[0]!
      const taskData = join(artifact.dir, artifact.files.find((file) => file.path === 'task.data')!.path)
      const ran = await runCli(['exec', join(out, 'capsule.manifest.json'), '--json'])
      expect(ran.code, ran.stderr).toBe(0)
      const envelope = JSON.parse(ran.stdout) as { result: unknown; execution: { fuel_consumed: number } }
      builds.push({ taskData: readFileSync(join(out, taskData)), fuel: envelope.execution.fuel_consumed, result: envelope.result })
    }
  }, 600_000)

  it('gives a byte-identical task.data on three cold builds of the same source', () => {
    expect(builds).toHaveLength(3)
    expect(builds[0]!.taskData.length).toBeGreaterThan(100_000)
    expect(builds[1]!.taskData.equals(builds[0]!.taskData)).toBe(true)
    expect(builds[2]!.taskData.equals(builds[0]!.taskData)).toBe(true)
  })

  it('gives the same fuel for the same call on each of those builds', () => {
    expect(builds[0]!.fuel).toBeGreaterThan(0)
    expect(builds.map((build) => build.fuel)).toEqual([builds[0]!.fuel, builds[0]!.fuel, builds[0]!.fuel])
    expect(builds[0]!.result).toMatchObject({ distinct: expect.any(Number), startedAtIsNumber: true })
  })
})

describe('top-level code at build time', () => {
  it('reports a top-level throw at the task module\'s own line, with the error', async () => {
    const { code, stderr } = await runCli(['run', 'fixtures/build/top-level-throw.capsule.ts'])
    expect(code).toBe(2)
    expect(stderr).toContain('fixtures/build/top-level-throw.capsule.ts:6:')
    expect(stderr).toContain('TypeError: retries must not be negative, got -1')
    expect(stderr).not.toMatch(/wizer|capsule-guest\.js|wasm-function/i)
  })

  it('stops an endless top-level loop at the build budget and fails naming the file', async () => {
    const started = Date.now()
    const { code, stderr } = await runCli(['run', 'fixtures/build/endless.capsule.ts', '--config', config({ buildTimeout: '3s' })])
    expect(code).toBe(2)
    expect(stderr).toContain('fixtures/build/endless.capsule.ts')
    expect(stderr).toContain('build budget of 3000 ms')
    expect(Date.now() - started).toBeLessThan(120_000)
  }, 180_000)

  it('refuses randomness in top-level code with a reason', async () => {
    const { code, stderr } = await runCli(['run', 'fixtures/build/top-level-random.capsule.ts'])
    expect(code).toBe(2)
    expect(stderr).toContain('fixtures/build/top-level-random.capsule.ts')
    expect(stderr).toContain('Math.random() and crypto.getRandomValues() cannot run in top-level code')
  })

  it('rejects a malformed buildTimeout in capsule.config with the accepted forms', async () => {
    const { code, stderr } = await runCli(['run', deterministic, '--config', config({ buildTimeout: '5 sec' })])
    expect(code).toBe(2)
    expect(stderr).toContain('buildTimeout')
    expect(stderr).toContain("'30s'")
  })
})

describe('paths inside the sandbox', () => {
  it('shows no host path in error stacks, at build time or at run time', async () => {
    const runtime = createRuntime({ cwd: REPO_ROOT })
    try {
      const envelope = await runtime.run({ file: 'fixtures/build/stack.capsule.ts' })
      expect(envelope.success).toBe(true)
      const { atTopLevel, inTask } = envelope.result as { atTopLevel: string; inTask: string }
      for (const stack of [atTopLevel, inTask]) {
        expect(stack).toContain('capsule-guest.js')
        expect(stack).not.toContain(REPO_ROOT)
        expect(stack).not.toContain(tmpdir())
        expect(stack).not.toContain('node_modules')
      }
    } finally {
      await runtime.close()
    }
  })
})
