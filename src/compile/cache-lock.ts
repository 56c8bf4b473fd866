// Compile a cache entry once across processes. Vitest workers, a `vite dev` next to a test run,
// two CLIs: each may want the same task module compiled at the same moment. The first takes the
// entry's lock (a directory made with mkdir, atomic on every file system: it exists or it does
// not), the others wait and then find the entry built. Whoever compiles also takes one of the
// machine's compile slots (the same kind of lock, two of them in the temp dir): componentize peaks
// near 800 MB, so at most two run at once on the machine, whatever the number of processes.
// A lock whose holder died (same host, pid gone) or stopped refreshing it is stale: the next
// waiter removes it and goes on. Correctness never rests on the lock alone: entries are written
// to a staging dir and renamed into place, so a crash leaves no half-written entry.
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Machine-wide number of concurrent compiles (componentize peaks near 800 MB each). */
export const COMPILE_SLOTS = 2

const OWNER_FILE = 'owner.json'
/** A held lock is refreshed this often... */
const HEARTBEAT_MS = 5_000
/** ...and is stale when not refreshed for this long (its holder hangs or died on another host). */
const STALE_MS = 60_000
const POLL_MS = 150

interface Owner {
  pid: number
  host: string
  since: number
}

export interface CompileLockOptions {
  /** Where the machine's compile slots live (default: a folder in the OS temp dir). */
  slotsDir?: string
  /** Called once when this process has to wait, with who it waits for. */
  onWait?: (reason: string) => void
}

/** The directory of the machine-wide compile slots for this user. */
export function defaultSlotsDir(): string {
  return join(tmpdir(), `unplugin-capsule-compile-slots-${process.getuid?.() ?? 'user'}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readOwner(lock: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(join(lock, OWNER_FILE), 'utf8')) as Owner
  } catch {
    return undefined
  }
}

/** Why the lock at `lock` is stale (its holder is gone), or null while it is held. */
async function staleness(lock: string): Promise<string | null> {
  let refreshed: number
  try {
    refreshed = (await stat(lock)).mtimeMs
  } catch {
    return null // released meanwhile: the next attempt takes it
  }
  const owner = await readOwner(lock)
  if (owner && owner.host === hostname() && !isAlive(owner.pid)) return `its holder (pid ${owner.pid}) is gone`
  if (Date.now() - refreshed > STALE_MS) return `not refreshed for ${Math.round((Date.now() - refreshed) / 1000)} s`
  return null
}

/** Removes a stale lock, unless another waiter replaced it meanwhile; true when it did. */
async function breakLock(lock: string): Promise<boolean> {
  const before = await readOwner(lock)
  const aside = `${lock}.stale-${process.pid}-${Date.now()}`
  try {
    await rename(lock, aside) // atomic: of several waiters, one moves it
  } catch {
    return false
  }
  const moved = await readOwner(aside)
  if (before && moved && (moved.pid !== before.pid || moved.since !== before.since)) {
    // A fresh lock was taken between our check and the rename: give it back.
    await rename(aside, lock).catch(() => {})
    return false
  }
  await rm(aside, { recursive: true, force: true })
  return true
}

/** One attempt to take `lock`: true when this process now holds it. */
async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  const owner: Owner = { pid: process.pid, host: hostname(), since: Date.now() }
  await writeFile(join(lock, OWNER_FILE), JSON.stringify(owner))
  return true
}

interface Held {
  release(): Promise<void>
}

function hold(lock: string): Held {
  const heartbeat = setInterval(() => {
    const now = new Date()
    utimes(lock, now, now).catch(() => {})
  }, HEARTBEAT_MS)
  heartbeat.unref()
  return {
    async release() {
      clearInterval(heartbeat)
      await rm(lock, { recursive: true, force: true })
    },
  }
}

/** Takes the first free of `locks`, waiting (and breaking stale ones) until one is free. */
async function acquire(locks: string[], waiting: (holders: string) => void): Promise<Held> {
  await mkdir(dirname(locks[0]!), { recursive: true })
  let told = false
  for (;;) {
    for (const lock of locks) {
      if (await tryLock(lock)) return hold(lock)
    }
    let broken = false
    for (const lock of locks) {
      if (await staleness(lock) !== null && await breakLock(lock)) broken = true
    }
    if (broken) continue // try again at once: a stale lock is no reason to wait
    if (!told) {
      told = true
      const owners = await Promise.all(locks.map(readOwner))
      waiting(owners.map((owner) => (owner ? `pid ${owner.pid}` : 'another process')).join(', '))
    }
    await sleep(POLL_MS + Math.random() * POLL_MS)
  }
}

/** Removes staging dirs (`<entry>.tmp-<pid>-<time>`) that a dead compile of this entry left. */
async function sweepStaging(entryDir: string): Promise<void> {
  const prefix = `${basename(entryDir)}.tmp-`
  let names: string[]
  try {
    names = await readdir(dirname(entryDir))
  } catch {
    return
  }
  for (const name of names.filter((candidate) => candidate.startsWith(prefix))) {
    const pid = Number(name.slice(prefix.length).split('-')[0])
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) await rm(join(dirname(entryDir), name), { recursive: true, force: true })
  }
}

/**
 * Builds the cache entry at `entryDir` once across processes: under its lock, `cached()` is asked
 * first (another process may have built it while this one waited), then `install()` if given (a
 * cheap way to the entry, such as copying a prebuilt one: no compile slot), and only when both
 * answer undefined does `build()` run, holding one of the machine's compile slots.
 */
export async function compileOnce<T>(
  cacheDir: string,
  entryDir: string,
  work: { cached: () => Promise<T | undefined>; install?: () => Promise<T | undefined>; build: () => Promise<T> },
  options: CompileLockOptions = {},
): Promise<T> {
  const onWait = options.onWait ?? (() => {})
  const entry = await acquire([join(cacheDir, 'locks', `${basename(entryDir)}.lock`)], (holder) => onWait(`${holder} is compiling it`))
  try {
    const cached = await work.cached()
    if (cached !== undefined) return cached
    await sweepStaging(entryDir)
    const installed = await work.install?.()
    if (installed !== undefined) return installed
    const slotsDir = options.slotsDir ?? defaultSlotsDir()
    const slots = Array.from({ length: COMPILE_SLOTS }, (_, index) => join(slotsDir, `slot-${index}.lock`))
    const slot = await acquire(slots, (holders) => onWait(`the machine's ${COMPILE_SLOTS} compile slots are taken (${holders})`))
    try {
      return await work.build()
    } finally {
      await slot.release()
    }
  } finally {
    await entry.release()
  }
}
