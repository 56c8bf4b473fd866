// One compile per cache entry, however many processes want it at once, from a cold cache (a temp
// cache dir of the test's own; only the shared engine, built once per toolchain, is linked from
// the repository's cache). Compiles are counted by fixtures/vitest/count-compiles.mjs, loaded into
// every process with NODE_OPTIONS, and by the CLI's --verbose lines.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers/cli.ts'
import { childEnv, makeConsumer, removeTarball, removeTemp, runIn, vitestRun } from './helpers/consumer.ts'

afterAll(removeTarball)

const COUNTER = join(REPO_ROOT, 'fixtures/vitest/count-compiles.mjs')

/** An empty compile cache whose shared engine dir is the repository's. */
function coldCache(): string {
  const cacheDir = mkdtempSync(join(tmpdir(), 'capsule-test-cold-cache-'))
  const engines = join(REPO_ROOT, 'node_modules/.cache/capsule/engines')
  mkdirSync(engines, { recursive: true })
  symlinkSync(engines, join(cacheDir, 'engines'), 'dir')
  return cacheDir
}

function countCompiles(log: string): number {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length : 0
}

describe('compile once across processes', () => {
  it('8 test files importing one task module, in parallel worker processes, cold cache: one compile, all pass', async () => {
    const cacheDir = coldCache()
    const root = makeConsumer('compile-once', join(REPO_ROOT, 'fixtures/vitest/compile-once'), { cacheDir })
    for (let index = 1; index <= 8; index++) copyFileSync(join(root, 'test/template.test.ts'), join(root, `test/file-${index}.test.ts`))
    rmSync(join(root, 'test/template.test.ts'))
    const log = join(root, 'compiles.log')
    const { code, output } = await vitestRun(root, [], { NODE_OPTIONS: `--import ${COUNTER}`, CAPSULE_COMPILE_COUNT_LOG: log }, 840_000)
    expect(code, output).toBe(0)
    expect(output).toMatch(/Test Files\s+8 passed \(8\)/)
    expect(countCompiles(log)).toBe(1)
    expect(readdirSync(join(cacheDir, 'components'))).toHaveLength(1)
    removeTemp(root, cacheDir)
  }, 900_000) // a cold compile plus 8 worker processes: minutes on a busy 2-core machine

  it('3 CLI processes running one task module at once, cold cache: one compiles, two wait and reuse it', async () => {
    const cacheDir = coldCache()
    const root = makeConsumer('compile-once-cli', join(REPO_ROOT, 'fixtures/vitest/compile-once'), { cacheDir })
    const log = join(root, 'compiles.log')
    const runs = await Promise.all(Array.from({ length: 3 }, () => runIn(root, 'node_modules/unplugin-capsule/bin/capsule.mjs',
      ['run', 'tasks/shared.capsule.ts', '--task', 'double', '--args', '[21]', '--verbose'],
      { NODE_OPTIONS: `--import ${COUNTER}`, CAPSULE_COMPILE_COUNT_LOG: log })))
    for (const run of runs) {
      expect(run.code, run.output).toBe(0)
      expect(run.output).toContain('"doubled": 42')
    }
    const all = runs.map((run) => run.output).join('\n')
    expect(all.match(/compiled tasks\/shared\.capsule\.ts in \d+ ms/g)).toHaveLength(1)
    expect(countCompiles(log)).toBe(1)
    expect(readdirSync(join(cacheDir, 'components')).filter((name) => name.includes('.tmp-'))).toEqual([])
    removeTemp(root, cacheDir)
  }, 400_000)

  it('a compile killed midway leaves no cache entry; the next run breaks its lock, compiles and cleans up', async () => {
    const cacheDir = coldCache()
    const root = makeConsumer('compile-crash', join(REPO_ROOT, 'fixtures/vitest/compile-once'), { cacheDir })
    const components = join(cacheDir, 'components')
    const cli = ['node_modules/unplugin-capsule/bin/capsule.mjs', 'run', 'tasks/shared.capsule.ts', '--task', 'double', '--args', '[21]', '--verbose']
    // Its own process group, so the kill takes its componentize child down with it, as a crash would.
    // It builds the kit from source (not installed from the package in well under a second), so
    // the kill surely lands midway.
    const doomed = spawn(process.execPath, cli, { cwd: root, env: childEnv({ CAPSULE_BUILD_TOOLCHAIN: '1' }), detached: true, stdio: 'ignore' })
    const staging = () => (existsSync(components) ? readdirSync(components).filter((name) => name.includes('.tmp-')) : [])
    for (let waited = 0; staging().length === 0 && waited < 120_000; waited += 100) await sleep(100)
    expect(staging()).toHaveLength(1)
    await sleep(1_000) // well into componentize
    process.kill(-doomed.pid!, 'SIGKILL')
    await new Promise((resolve) => doomed.once('exit', resolve))
    await sleep(200)
    const entries = readdirSync(components).filter((name) => !name.includes('.tmp-'))
    expect(entries).toEqual([]) // only the staging dir: nothing a reader could take for an entry
    expect(readdirSync(join(cacheDir, 'locks'))).toHaveLength(1) // the dead holder's lock

    const { code, output } = await runIn(root, cli[0]!, cli.slice(1))
    expect(code, output).toBe(0)
    expect(output).toMatch(/compiled tasks\/shared\.capsule\.ts in \d+ ms/)
    expect(output).toContain('"doubled": 42')
    expect(staging()).toEqual([])
    expect(readdirSync(join(cacheDir, 'locks'))).toEqual([])
    expect(readdirSync(components)).toHaveLength(1)
    removeTemp(root, cacheDir)
  }, 400_000)
})
