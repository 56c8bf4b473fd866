// The cross-process compile lock (src/compile/cache-lock.ts) on real directories: one build per
// entry however many callers, at most two builds at once, and recovery from a holder that died
// (its lock is broken, the staging dir it left is removed). Processes that compete for real, and a
// real compile, are in compile-once.test.ts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { COMPILE_SLOTS, compileOnce } from '../src/compile/cache-lock.ts'

function dirs() {
  const root = mkdtempSync(join(tmpdir(), 'capsule-test-lock-'))
  return { cacheDir: join(root, 'cache'), slotsDir: join(root, 'slots') }
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

function fakeLock(cacheDir: string, key: string, owner: { pid: number; host: string }): string {
  const lock = join(cacheDir, 'locks', `${key}.lock`)
  mkdirSync(lock, { recursive: true })
  writeFileSync(join(lock, 'owner.json'), JSON.stringify({ ...owner, since: Date.now() }))
  return lock
}

describe('compileOnce', () => {
  it('builds an entry once for many concurrent callers; the others find it built', async () => {
    const { cacheDir, slotsDir } = dirs()
    const entry = join(cacheDir, 'components', 'k1')
    const built = new Map<string, string>()
    let builds = 0
    const work = {
      cached: async () => built.get(entry),
      build: async () => {
        builds++
        await sleep(200)
        built.set(entry, 'artifact')
        return 'artifact'
      },
    }
    const results = await Promise.all(Array.from({ length: 6 }, () => compileOnce(cacheDir, entry, work, { slotsDir })))
    expect(results).toEqual(Array(6).fill('artifact'))
    expect(builds).toBe(1)
    expect(existsSync(join(cacheDir, 'locks', 'k1.lock'))).toBe(false)
  })

  it(`runs at most ${COMPILE_SLOTS} builds at once, across entries`, async () => {
    const { cacheDir, slotsDir } = dirs()
    let running = 0
    let most = 0
    let open!: () => void
    const gate = new Promise<void>((resolve) => { open = resolve })
    const calls = Array.from({ length: 5 }, (_, index) => compileOnce(cacheDir, join(cacheDir, 'components', `e${index}`), {
      cached: async () => undefined,
      build: async () => {
        most = Math.max(most, ++running)
        await gate
        running--
        return index
      },
    }, { slotsDir }))
    for (let waited = 0; running < COMPILE_SLOTS && waited < 20_000; waited += 50) await sleep(50)
    await sleep(500) // time enough for a third build to start, were the slots not enforced
    expect(running).toBe(COMPILE_SLOTS)
    open()
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4])
    expect(most).toBe(COMPILE_SLOTS)
  })

  it('waits for a live holder, saying who it waits for', async () => {
    const { cacheDir, slotsDir } = dirs()
    const lock = fakeLock(cacheDir, 'held', { pid: process.pid, host: hostname() })
    const waits: string[] = []
    let released = false
    setTimeout(() => {
      released = true
      spawnSync('rm', ['-rf', lock])
    }, 400)
    const result = await compileOnce(cacheDir, join(cacheDir, 'components', 'held'), {
      cached: async () => undefined,
      build: async () => released,
    }, { slotsDir, onWait: (reason) => waits.push(reason) })
    expect(result).toBe(true)
    expect(waits).toEqual([`pid ${process.pid} is compiling it`])
  })

  it('breaks the lock of a holder that died, and removes the staging dir it left', async () => {
    const { cacheDir, slotsDir } = dirs()
    const dead = deadPid()
    fakeLock(cacheDir, 'orphan', { pid: dead, host: hostname() })
    const entry = join(cacheDir, 'components', 'orphan')
    const leftover = `${entry}.tmp-${dead}-1700000000000`
    const alive = `${entry}.tmp-${process.pid}-1700000000000`
    mkdirSync(leftover, { recursive: true })
    writeFileSync(join(leftover, 'task.data'), 'half written')
    mkdirSync(alive, { recursive: true })
    const started = performance.now()
    const waits: string[] = []
    const result = await compileOnce(cacheDir, entry, { cached: async () => undefined, build: async () => 'rebuilt' }, { slotsDir, onWait: (reason) => waits.push(reason) })
    expect(result).toBe('rebuilt')
    expect(waits).toEqual([]) // a dead holder is no one to wait for
    expect(performance.now() - started).toBeLessThan(10_000) // not the minute a refresh-based break takes
    expect(existsSync(leftover)).toBe(false)
    expect(existsSync(alive)).toBe(true) // a live compile's staging is not ours to remove
  })

  it('breaks a lock nobody refreshed for a minute (a holder on another host that hung)', async () => {
    const { cacheDir, slotsDir } = dirs()
    const lock = fakeLock(cacheDir, 'hung', { pid: 1, host: 'another-host' })
    const old = new Date(Date.now() - 120_000)
    utimesSync(lock, old, old)
    const result = await compileOnce(cacheDir, join(cacheDir, 'components', 'hung'), { cached: async () => undefined, build: async () => 'built' }, { slotsDir })
    expect(result).toBe('built')
  })

  it('a failed build releases both locks, and the next caller builds', async () => {
    const { cacheDir, slotsDir } = dirs()
    const entry = join(cacheDir, 'components', 'fails')
    await expect(compileOnce(cacheDir, entry, { cached: async () => undefined, build: async () => { throw new Error('componentize failed: x') } }, { slotsDir }))
      .rejects.toThrow('componentize failed: x')
    expect(existsSync(join(cacheDir, 'locks', 'fails.lock'))).toBe(false)
    expect(existsSync(join(slotsDir, 'slot-0.lock'))).toBe(false)
    expect(await compileOnce(cacheDir, entry, { cached: async () => undefined, build: async () => 'second' }, { slotsDir })).toBe('second')
  })
})
