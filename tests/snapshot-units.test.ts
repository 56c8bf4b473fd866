// Units of the host's own wizer: the memory scan that becomes task.data's segments, and the
// in-memory WASI preview1 that makes a snapshot deterministic (fixed clock, seeded random,
// read-only files, proc_exit as an exception); the snapshot processes' environment.
import { describe, expect, it } from 'vitest'
import { nonZeroRuns } from '../src/compile/snapshot/take-snapshot.ts'
import { hugePagesEnv } from '../src/shared/huge-pages-env.ts'
import { ProcExit, wasiPreview1 } from '../src/compile/snapshot/wasi-preview1.ts'

const PAGE = 65_536

describe('nonZeroRuns', () => {
  it('keeps every non-zero byte, trimmed to the first and last one of each run of pages', () => {
    const memory = new Uint8Array(2 * PAGE)
    memory[5] = 1
    memory[4_100] = 2 // the next 4 KiB page: same run
    memory[70_000] = 3 // a page far away: its own run
    const runs = nonZeroRuns(memory)
    expect(runs.map((run) => [run.offset, run.data.length])).toEqual([[5, 4_096], [70_000, 1]])
    const rebuilt = new Uint8Array(2 * PAGE)
    for (const run of runs) rebuilt.set(run.data, run.offset)
    expect(Buffer.from(rebuilt).equals(Buffer.from(memory))).toBe(true)
  })

  it('answers nothing for an all-zero memory', () => {
    expect(nonZeroRuns(new Uint8Array(PAGE))).toEqual([])
  })
})

describe('hugePagesEnv (the snapshot processes\' environment)', () => {
  it('asks glibc for huge pages, keeping the rest of the environment and the user\'s own tunables', () => {
    expect(hugePagesEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' })
    expect(hugePagesEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1')
  })

  it('leaves a hugetlb setting of the user\'s own as it is', () => {
    const env = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }
    expect(hugePagesEnv(env)).toBe(env)
  })
})

function shim(files: Record<string, string> = {}) {
  const memory = new WebAssembly.Memory({ initial: 1 })
  let output = ''
  const wasi = wasiPreview1({
    env: [['A', '1']],
    stdin: 'args',
    files: new Map(Object.entries(files).map(([name, text]) => [name, new TextEncoder().encode(text)])),
    onOutput: (text) => {
      output += text
    },
  }, () => memory) as Record<string, (...args: unknown[]) => number>
  const view = new DataView(memory.buffer)
  return { wasi, memory, view, output: () => output }
}

describe('the snapshot WASI', () => {
  it('gives the same clock readings and random bytes in every snapshot', () => {
    const readings = [shim(), shim()].map(({ wasi, memory, view }) => {
      wasi.clock_time_get!(0, 0n, 0)
      wasi.clock_time_get!(1, 0n, 8)
      wasi.random_get!(16, 32)
      return { first: view.getBigUint64(0, true), second: view.getBigUint64(8, true), random: Buffer.from(memory.buffer, 16, 32).toString('hex') }
    })
    expect(readings[0]).toEqual(readings[1])
    expect(readings[0]!.second).toBeGreaterThan(readings[0]!.first)
    expect(readings[0]!.random).not.toBe('0'.repeat(64))
  })

  it('serves the preopened files read-only and stdin, and captures stderr', () => {
    const { wasi, memory, view, output } = shim({ 'source.js': 'export {}' })
    const name = new TextEncoder().encode('/source.js')
    new Uint8Array(memory.buffer).set(name, 100)
    expect(wasi.path_open!(3, 0, 100, name.length, 0, 0n, 0n, 0, 200)).toBe(0)
    const fd = view.getUint32(200, true)
    view.setUint32(300, 400, true) // one iovec: 64 bytes at 400
    view.setUint32(304, 64, true)
    expect(wasi.fd_read!(fd, 300, 1, 500)).toBe(0)
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 400, view.getUint32(500, true)))).toBe('export {}')
    expect(wasi.path_open!(3, 0, 100, name.length, 0x1 /* creat */, 0n, 0n, 0, 200)).not.toBe(0)
    expect(wasi.fd_read!(0, 300, 1, 500)).toBe(0)
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 400, view.getUint32(500, true)))).toBe('args')
    new Uint8Array(memory.buffer).set(new TextEncoder().encode('oops'), 600)
    view.setUint32(700, 600, true)
    view.setUint32(704, 4, true)
    expect(wasi.fd_write!(2, 700, 1, 800)).toBe(0)
    expect(output()).toBe('oops')
  })

  it('turns proc_exit into an exception the snapshot driver catches', () => {
    const { wasi } = shim()
    expect(() => wasi.proc_exit!(1)).toThrow(ProcExit)
  })
})
