// Limits that hold, on a real compiled module: deterministic fuel, memory caps that stop both
// kinds of memory bombs without hurting the host, honest retry counts, small artifacts on one
// shared engine.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createRuntime } from 'unplugin-capsule/runtime'
import { REPO_ROOT, runCli } from './helpers/cli.ts'

const file = 'fixtures/limits.capsule.ts'
const runtime = createRuntime({ cwd: REPO_ROOT, poolSize: 2 })
const call = (task: string, ...args: unknown[]) => runtime.run({ file, task, args })
const MiB = 1024 * 1024

afterAll(() => runtime.close())

describe('fuel', () => {
  it('is deterministic: the same task and args consume the same fuel, every time', async () => {
    const fuel = []
    for (let i = 0; i < 5; i++) fuel.push((await call('loop', 200_000)).execution.fuel_consumed)
    expect(fuel[0]).toBeGreaterThan(0)
    expect(new Set(fuel).size).toBe(1)
  })

  it('grows with the work: 2N iterations cost 1.8–2.2× N', async () => {
    const once = (await call('loop', 1_000_000)).execution.fuel_consumed
    const twice = (await call('loop', 2_000_000)).execution.fuel_consumed
    expect(twice / once).toBeGreaterThanOrEqual(1.8)
    expect(twice / once).toBeLessThanOrEqual(2.2)
  })

  it('stops while(true){} on LOW compute with no timeout', async () => {
    const envelope = await call('spinLow')
    expect(envelope.error?.error_type).toBe('fuel_exhausted')
    expect(envelope.execution.duration_ms).toBeLessThan(3_000)
    expect(envelope.execution.fuel_consumed).toBeGreaterThanOrEqual(100_000_000)
  })

  it('honours an exact budget: compute 1,000,000 stops within 5% of it', async () => {
    const envelope = await call('spinMillion')
    expect(envelope.error?.error_type).toBe('fuel_exhausted')
    expect(envelope.execution.fuel_consumed).toBeGreaterThanOrEqual(1_000_000)
    expect(envelope.execution.fuel_consumed).toBeLessThanOrEqual(1_050_000)
  })
})

describe('memory', () => {
  it.each(['bigBomb', 'smallBomb'])('%s under ram 32MB → memory_exceeded, host RSS barely moves, next call works', async (task) => {
    const before = process.memoryUsage().rss
    const envelope = await call(task)
    const grown = process.memoryUsage().rss - before
    expect(envelope.error?.error_type).toBe('memory_exceeded')
    expect(envelope.error?.message).toBe('the task exceeded its memory limit of 32 MiB')
    expect(envelope.execution.ram_used).toBeLessThanOrEqual(32 * MiB + 64 * 1024)
    expect(grown).toBeLessThan(150 * MiB)
    expect(await call('small')).toMatchObject({ success: true, result: 'fits' })
  })

  it('refuses at build time a ram too small to start the engine, naming the minimum', async () => {
    const { code, stderr } = await runCli(['run', 'fixtures/bad/ram-too-small.capsule.ts'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/ram-too-small\.capsule\.ts:3:\d+: option "ram".*needs at least [\d.]+ MiB; accepted/)
    expect(stderr).not.toMatch(/\d{5,} bytes/)
  })
})

describe('retries', () => {
  it('counts the retries actually made and sums their fuel', async () => {
    const failing = await call('flaky')
    expect(failing).toMatchObject({ success: false, error: { error_type: 'task_error', message: 'Error: always fails' } })
    expect(failing.execution.retries).toBe(2)
    const passing = await call('steady')
    expect(passing).toMatchObject({ success: true, result: 'ok' })
    expect(passing.execution.retries).toBe(0)
    expect(failing.execution.fuel_consumed).toBeGreaterThan(passing.execution.fuel_consumed * 2)
  })
})

describe('the shared engine', () => {
  it('keeps the per-task artifact small and makes the engine once for two modules', async () => {
    // a fresh project has a fresh cache (node_modules/.cache/capsule): the engine is made here —
    // installed from the package when it ships this toolchain, else built from source (both paths
    // on their own: tests/shipped-toolchain.test.ts)
    const project = mkdtempSync(join(tmpdir(), 'capsule-engine-project-'))
    const cacheDir = join(project, 'node_modules/.cache/capsule')
    try {
      writeFileSync(join(project, 'one.capsule.ts'), `import { task } from 'unplugin-capsule'\nexport const main = task({ name: 'main' }, () => 'one')\n`)
      writeFileSync(join(project, 'two.capsule.ts'), `import { task } from 'unplugin-capsule'\nexport const main = task({ name: 'main' }, () => ['two', 2])\n`)
      const first = await runCli(['run', 'one.capsule.ts', '--json', '--verbose'], { cwd: project })
      expect(first.code).toBe(0)
      expect(first.stderr).toMatch(/instrumented the shared engine|installed the shared engine \S+ and its snapshot kit shipped with unplugin-capsule/)
      const second = await runCli(['run', 'two.capsule.ts', '--json', '--verbose'], { cwd: project })
      expect(second.code).toBe(0)
      expect(JSON.parse(second.stdout).result).toEqual(['two', 2])
      expect(second.stderr).toMatch(/reused the shared engine/)
      expect(second.stderr).not.toMatch(/instrumented the shared engine|installed the/)
      const artifact = /cache miss: two\.capsule\.ts \((\w+)\)/.exec(second.stderr)![1]!
      expect(statSync(join(cacheDir, 'components', artifact, 'task.data')).size).toBeLessThanOrEqual(1.5 * MiB)
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
  })
})
