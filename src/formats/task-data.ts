// The per-task artifact: a task module's snapshot (its memory contents, memory size and mutable
// globals) in a compact binary, tied to the engine it was split from. The runtime writes it
// into a fresh memory before instantiating the shared engine, and writes it back over a used
// memory to reset a sandbox in place: both copy only the snapshot's non-zero runs (~1.7 MiB of
// an ~8.5 MB image); a reset also zeroes the gaps between them.
//
// Layout (little endian): 'CPTD' u8 version | 32-byte engine key | u32 memoryPages |
// u32 nGlobals | nGlobals × (u32 index, u8 type, 8-byte value) | u32 nRuns |
// nRuns × (u32 offset, u32 length) | all run bytes.
// The whole is gzipped (level 1: ~7 % bigger than level 9, ~8× faster to write, and an edit's
// rebuild writes one). Version 2 lays the runs out at build time, so a worker's decode is one
// inflate and a few views: no second copy of ~3 MB into fresh pages, which is what costs on a
// VM. Version 1 (unmerged segments, merged on decode) is still read.
import { gunzipSync, gzipSync } from 'node:zlib'

const MAGIC = 'CPTD'
const VERSION = 2
const GZIP_LEVEL = 1
const I32 = 0x7f
const I64 = 0x7e

export interface SnapshotGlobal {
  index: number
  /** wasm value type byte: 0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64 */
  type: number
  value: number | bigint
}

/** A stretch of the snapshot's memory holding data (short zero gaps inside it included). */
export interface MemoryRun {
  offset: number
  bytes: Uint8Array
}

export interface TaskData {
  engineKey: string
  memoryPages: number
  globals: SnapshotGlobal[]
  /** Where the snapshot's first non-zero byte lies. */
  imageOffset: number
  /** The non-zero runs in address order, decoded once per worker (each sandbox copies them). */
  runs: MemoryRun[]
}

/** Segments closer than this are merged into one run: one copy beats many small ones. */
const RUN_GAP = 4096

export const GLOBAL_EXPORT_PREFIX = 'capsule:global:'
export const ENGINE_IMPORT_MODULE = 'capsule:engine'
export const MEMORY_IMPORT = 'memory'
export const FUEL_EXPORT = 'capsule:fuel'
/**
 * The engine's counter is charged each region's static instruction count on entry, which
 * over-counts the instructions actually executed (a region left early still paid in full) by
 * about 16× on SpiderMonkey's interpreter (measured on `while(true){}` and fib). One unit of
 * fuel is 16 counter units, so fuel ≈ wasm instructions executed, as wasmtime counts it, and the
 * compute levels keep their meaning: MEDIUM ≈ 0.35–1 s of CPU here (V8-optimized vs fresh code).
 * Scaling happens on the host only: still exact integers, still deterministic.
 */
export const COUNTER_UNITS_PER_FUEL = 16
export const WASM_PAGE = 65_536
interface PlannedRun {
  offset: number
  length: number
  segments: { offset: number; data: Uint8Array }[]
}

/** Sorts segments and groups those closer than RUN_GAP into runs: one copy beats many small ones. */
function planRuns(segments: { offset: number; data: Uint8Array }[]): PlannedRun[] {
  const sorted = [...segments].sort((a, b) => a.offset - b.offset)
  const runs: PlannedRun[] = []
  for (const segment of sorted) {
    const last = runs.at(-1)
    const end = segment.offset + segment.data.length
    if (last && segment.offset - (last.offset + last.length) < RUN_GAP) {
      last.length = Math.max(last.length, end - last.offset)
      last.segments.push(segment)
    } else {
      runs.push({ offset: segment.offset, length: segment.data.length, segments: [segment] })
    }
  }
  return runs
}

/** Copies a planned run's segments into `into` at `at` (the zeros between them are already there). */
function copyRun(run: PlannedRun, into: Uint8Array, at: number): void {
  for (const segment of run.segments) into.set(segment.data, at + segment.offset - run.offset)
}

/** Version 1's raw segments as runs (copied once, on decode). */
function mergeRuns(segments: { offset: number; data: Uint8Array }[]): MemoryRun[] {
  return planRuns(segments).map((run) => {
    const bytes = new Uint8Array(run.length)
    copyRun(run, bytes, 0)
    return { offset: run.offset, bytes }
  })
}

/** Encodes a snapshot; the segments may be views into the snapshot's memory (each byte is copied once). */
export function encodeTaskData(engineKey: string, memoryPages: number, globals: SnapshotGlobal[], segments: { offset: number; data: Uint8Array }[]): Uint8Array {
  const runs = planRuns(segments)
  const headerLength = 5 + 32 + 8 + globals.length * 13 + 4 + runs.length * 8
  const out = new Uint8Array(headerLength + runs.reduce((sum, run) => sum + run.length, 0))
  const view = new DataView(out.buffer)
  out.set(new TextEncoder().encode(MAGIC), 0)
  out[4] = VERSION
  out.set(Buffer.from(engineKey, 'hex'), 5)
  let p = 37
  view.setUint32(p, memoryPages, true)
  view.setUint32(p + 4, globals.length, true)
  p += 8
  for (const global of globals) {
    view.setUint32(p, global.index, true)
    out[p + 4] = global.type
    if (global.type === I32 || global.type === I64) view.setBigInt64(p + 5, BigInt(global.value), true)
    else view.setFloat64(p + 5, Number(global.value), true)
    p += 13
  }
  view.setUint32(p, runs.length, true)
  p += 4
  for (const run of runs) {
    view.setUint32(p, run.offset, true)
    view.setUint32(p + 4, run.length, true)
    p += 8
  }
  for (const run of runs) {
    copyRun(run, out, p)
    p += run.length
  }
  return gzipSync(out, { level: GZIP_LEVEL, chunkSize: Math.max(out.length, 65_536) })
}

/**
 * Inflates into one buffer of the size gzip's trailer announces (ISIZE, the last 4 bytes, clamped):
 * zlib's default 16 KiB chunks cost a loop and a concat that take as long as the inflate itself.
 */
function inflate(compressed: Uint8Array): Uint8Array {
  const announced = compressed.length >= 4 ? new DataView(compressed.buffer, compressed.byteOffset + compressed.length - 4, 4).getUint32(0, true) : 0
  // +1: a buffer the output fills exactly makes zlib allocate (and free) one more of that size.
  return gunzipSync(compressed, { chunkSize: Math.min(Math.max(announced + 1, 65_536), 64 * 2 ** 20) })
}

export function decodeTaskData(compressed: Uint8Array): TaskData {
  const bytes = inflate(compressed)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = bytes[4]
  if (bytes.length < 45 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC || (version !== 1 && version !== VERSION)) {
    throw new Error('not a capsule task artifact (or one from an incompatible version)')
  }
  const engineKey = Buffer.from(bytes.subarray(5, 37)).toString('hex')
  let p = 37
  const memoryPages = view.getUint32(p, true)
  const globalCount = view.getUint32(p + 4, true)
  p += 8
  const globals: SnapshotGlobal[] = []
  for (let i = 0; i < globalCount; i++, p += 13) {
    const type = bytes[p + 4]!
    const value = type === I32 ? Number(view.getBigInt64(p + 5, true)) : type === I64 ? view.getBigInt64(p + 5, true) : view.getFloat64(p + 5, true)
    globals.push({ index: view.getUint32(p, true), type, value })
  }
  const count = view.getUint32(p, true)
  p += 4
  let source = p + count * 8
  const stretches: { offset: number; data: Uint8Array }[] = []
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(p + i * 8 + 4, true)
    stretches.push({ offset: view.getUint32(p + i * 8, true), data: bytes.subarray(source, source + length) })
    source += length
  }
  // Version 2 holds runs already (views into the inflated bytes, no copy); version 1 held raw segments.
  const runs = version === VERSION ? stretches.map(({ offset, data }) => ({ offset, bytes: data })) : mergeRuns(stretches)
  return { engineKey, memoryPages, globals, imageOffset: runs[0]?.offset ?? 0, runs }
}

/** Copies the snapshot into a fresh (all-zero) memory, before the engine is instantiated on it. */
export function writeTaskMemory(memory: WebAssembly.Memory, task: TaskData): void {
  const bytes = new Uint8Array(memory.buffer)
  for (const run of task.runs) bytes.set(run.bytes, run.offset)
}

/** Gaps are checked in chunks of at most this size: a clean chunk is only read, never written. */
const ZERO_CHUNK = 65_536
const ZEROS = Buffer.alloc(ZERO_CHUNK)
const PAGE = 4096

/**
 * Zeroes [start, end) of `memory` (at most ZERO_CHUNK bytes) unless it is all zero already (then
 * it is only read). Compared and filled by range on the one view of the memory: no view per
 * chunk (a reset checks dozens of them).
 */
function zeroIfDirty(memory: Buffer, start: number, end: number): void {
  if (ZEROS.compare(memory, start, end, 0, end - start) !== 0) memory.fill(0, start, end)
}

/**
 * Zeroes [start, end) where it is not zero already: a gap the call left alone is only read,
 * never written. With `written` (1 per 4 KiB page ever written, shared/written-pages.ts) the
 * pages never written are not even read: they are zero, and reading them would make them
 * resident (on this project's VM, kernel 6.18, a read faults a page in like a write: reading
 * every gap kept each sandbox's whole ~9 MB memory in RSS and cost the most of a reset).
 */
function zeroDirty(memory: Buffer, start: number, end: number, written: Uint8Array | undefined): void {
  for (let chunk = start; chunk < end;) {
    let stop = Math.min(chunk + ZERO_CHUNK, end)
    if (written) {
      // the longest stretch from here of pages all written (or all never written)
      const page = Math.floor(chunk / PAGE)
      const state = written[page]
      let next = Math.min((page + 1) * PAGE, stop)
      while (next < stop && written[next / PAGE] === state) next = Math.min(next + PAGE, stop)
      stop = next
      if (state === 0) {
        chunk = stop
        continue
      }
    }
    zeroIfDirty(memory, chunk, stop)
    chunk = stop
  }
}

/**
 * Puts a used memory back to the snapshot byte for byte: the runs copied back, everything else
 * up to the snapshot's size zeroed. The memory must not have grown past the snapshot's size.
 * `written` (optional) marks the pages ever written: the others are zero already.
 */
export function resetTaskMemory(memory: WebAssembly.Memory, task: TaskData, written?: Uint8Array): void {
  const bytes = Buffer.from(memory.buffer)
  let cursor = 0
  for (const run of task.runs) {
    if (run.offset > cursor) zeroDirty(bytes, cursor, run.offset, written)
    bytes.set(run.bytes, run.offset)
    cursor = run.offset + run.bytes.length
  }
  zeroDirty(bytes, cursor, task.memoryPages * WASM_PAGE, written)
}

/** Restores the snapshot's mutable globals (stack pointer, ...) before any guest code runs. */
export function restoreGlobals(instance: WebAssembly.Instance, task: TaskData): void {
  for (const global of task.globals) {
    (instance.exports[GLOBAL_EXPORT_PREFIX + global.index] as WebAssembly.Global).value = global.value
  }
}
