// A small in-memory WASI preview1 for the snapshot step only: it answers the calls
// StarlingMonkey's initialization makes (environment, stdin, the preopened files holding the
// bindings and the guest bundle, clocks, random, stderr) and nothing else. Time and randomness
// are fixed functions of the call count, so the same source always gives the same snapshot;
// tasks get real time and randomness later, at run time, from the runtime's own WASI.
import { createHash } from 'node:crypto'

const ERRNO = { success: 0, badf: 8, inval: 28, noent: 44, nosys: 52, notcapable: 76, isdir: 31 } as const
const FILETYPE = { characterDevice: 2, directory: 3, regularFile: 4 } as const
const ALL_RIGHTS = 0x1fffffffn
/** The frozen start of time during a snapshot: 2020-01-01T00:00:00Z, in nanoseconds. */
const EPOCH_NS = 1_577_836_800_000_000_000n
/** Each clock reading moves time on by 1 µs, so code that waits for time to pass still ends. */
const TICK_NS = 1_000n

/** `proc_exit` was called: unwinds the wasm stack up to the snapshot driver. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`the engine exited with status ${code}`)
  }
}

export interface WasiSetup {
  /** Environment variables, in order. */
  env: [string, string][]
  /** What the engine reads from stdin. */
  stdin: string
  /** The one preopened directory's guest path ('/') and its files, by name. */
  files: Map<string, Uint8Array>
  /** Everything written to stdout or stderr. */
  onOutput(text: string): void
}

interface OpenFile {
  data: Uint8Array
  position: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const PREOPEN_FD = 3
const PREOPEN_NAME = encoder.encode('/')

/** A deterministic byte stream (sha256 in counter mode over a fixed seed). */
function seededRandom(): (length: number) => Uint8Array {
  let counter = 0
  let pool = new Uint8Array(0)
  return (length) => {
    while (pool.length < length) {
      const block = createHash('sha256').update(`capsule-snapshot-seed:${counter++}`).digest()
      const next = new Uint8Array(pool.length + block.length)
      next.set(pool)
      next.set(block, pool.length)
      pool = next
    }
    const out = pool.slice(0, length)
    pool = pool.slice(length)
    return out
  }
}

export function wasiPreview1(setup: WasiSetup, memory: () => WebAssembly.Memory): Record<string, (...args: never[]) => number | void> {
  const view = () => new DataView(memory().buffer)
  const bytes = () => new Uint8Array(memory().buffer)
  const open = new Map<number, OpenFile>([[0, { data: encoder.encode(setup.stdin), position: 0 }]])
  let nextFd = PREOPEN_FD + 1
  let clock = EPOCH_NS
  const random = seededRandom()
  const envStrings = setup.env.map(([key, value]) => encoder.encode(`${key}=${value}\0`))

  const readPath = (pointer: number, length: number) => decoder.decode(bytes().subarray(pointer, pointer + length)).replace(/^\/+/, '').replace(/^\.\//, '')
  const writeIovecs = (iovs: number, count: number, sink: (chunk: Uint8Array) => void) => {
    let total = 0
    for (let i = 0; i < count; i++) {
      const pointer = view().getUint32(iovs + i * 8, true)
      const length = view().getUint32(iovs + i * 8 + 4, true)
      sink(bytes().slice(pointer, pointer + length))
      total += length
    }
    return total
  }

  return {
    args_sizes_get(argc: number, size: number) {
      view().setUint32(argc, 0, true)
      view().setUint32(size, 0, true)
      return ERRNO.success
    },
    args_get() {
      return ERRNO.success
    },
    environ_sizes_get(count: number, size: number) {
      view().setUint32(count, envStrings.length, true)
      view().setUint32(size, envStrings.reduce((sum, s) => sum + s.length, 0), true)
      return ERRNO.success
    },
    environ_get(pointers: number, buffer: number) {
      let at = buffer
      envStrings.forEach((entry, i) => {
        view().setUint32(pointers + i * 4, at, true)
        bytes().set(entry, at)
        at += entry.length
      })
      return ERRNO.success
    },
    clock_time_get(_id: number, _precision: bigint, out: number) {
      clock += TICK_NS
      view().setBigUint64(out, clock, true)
      return ERRNO.success
    },
    random_get(pointer: number, length: number) {
      bytes().set(random(length), pointer)
      return ERRNO.success
    },
    fd_write(fd: number, iovs: number, count: number, written: number) {
      if (fd !== 1 && fd !== 2) return ERRNO.badf
      const total = writeIovecs(iovs, count, (chunk) => setup.onOutput(decoder.decode(chunk)))
      view().setUint32(written, total, true)
      return ERRNO.success
    },
    fd_read(fd: number, iovs: number, count: number, read: number) {
      const file = open.get(fd)
      if (!file) return fd === PREOPEN_FD ? ERRNO.isdir : ERRNO.badf
      let total = 0
      for (let i = 0; i < count; i++) {
        const pointer = view().getUint32(iovs + i * 8, true)
        const length = view().getUint32(iovs + i * 8 + 4, true)
        const chunk = file.data.subarray(file.position, file.position + length)
        bytes().set(chunk, pointer)
        file.position += chunk.length
        total += chunk.length
        if (chunk.length < length) break
      }
      view().setUint32(read, total, true)
      return ERRNO.success
    },
    fd_seek(fd: number, offset: bigint, whence: number, out: number) {
      const file = open.get(fd)
      if (!file) return ERRNO.badf
      const base = whence === 0 ? 0 : whence === 1 ? file.position : file.data.length
      const position = base + Number(offset)
      if (position < 0) return ERRNO.inval
      file.position = position
      view().setBigUint64(out, BigInt(position), true)
      return ERRNO.success
    },
    fd_close(fd: number) {
      return open.delete(fd) || fd === PREOPEN_FD ? ERRNO.success : ERRNO.badf
    },
    fd_fdstat_get(fd: number, out: number) {
      const type = fd === PREOPEN_FD ? FILETYPE.directory : fd <= 2 ? FILETYPE.characterDevice : open.has(fd) ? FILETYPE.regularFile : null
      if (type === null) return ERRNO.badf
      bytes().fill(0, out, out + 24)
      view().setUint8(out, type)
      view().setBigUint64(out + 8, ALL_RIGHTS, true)
      view().setBigUint64(out + 16, ALL_RIGHTS, true)
      return ERRNO.success
    },
    fd_fdstat_set_flags() {
      return ERRNO.success
    },
    fd_prestat_get(fd: number, out: number) {
      if (fd !== PREOPEN_FD) return ERRNO.badf
      view().setUint32(out, 0, true)
      view().setUint32(out + 4, PREOPEN_NAME.length, true)
      return ERRNO.success
    },
    fd_prestat_dir_name(fd: number, pointer: number, length: number) {
      if (fd !== PREOPEN_FD) return ERRNO.badf
      bytes().set(PREOPEN_NAME.subarray(0, length), pointer)
      return ERRNO.success
    },
    fd_readdir() {
      return ERRNO.nosys
    },
    path_filestat_get(fd: number, _flags: number, pathPointer: number, pathLength: number, out: number) {
      if (fd !== PREOPEN_FD) return ERRNO.badf
      const name = readPath(pathPointer, pathLength)
      const data = setup.files.get(name)
      if (name !== '' && !data) return ERRNO.noent
      bytes().fill(0, out, out + 64)
      view().setUint8(out + 16, data ? FILETYPE.regularFile : FILETYPE.directory)
      view().setBigUint64(out + 24, 1n, true)
      view().setBigUint64(out + 32, BigInt(data?.length ?? 0), true)
      return ERRNO.success
    },
    path_open(fd: number, _dirflags: number, pathPointer: number, pathLength: number, oflags: number, _base: bigint, _inheriting: bigint, _fdflags: number, out: number) {
      if (fd !== PREOPEN_FD) return ERRNO.badf
      if (oflags & (0x1 | 0x4 | 0x8)) return ERRNO.notcapable // creat, excl, trunc: nothing is writable
      const data = setup.files.get(readPath(pathPointer, pathLength))
      if (!data) return ERRNO.noent
      const handle = nextFd++
      open.set(handle, { data, position: 0 })
      view().setUint32(out, handle, true)
      return ERRNO.success
    },
    path_remove_directory() {
      return ERRNO.notcapable
    },
    path_unlink_file() {
      return ERRNO.notcapable
    },
    proc_exit(code: number) {
      throw new ProcExit(code)
    },
  }
}
