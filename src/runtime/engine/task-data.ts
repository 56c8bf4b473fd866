// The per-task artifact: a task module's wizer snapshot (its memory contents, memory size and
// mutable globals) in a compact gzipped binary, tied to the engine it was split from. The
// runtime writes it into a fresh memory before instantiating the shared engine, and writes it
// back over a used memory to reset a sandbox in place: both copy only the snapshot's non-zero
// runs (~1.7 MiB of an ~8.5 MB image); a reset also zeroes the gaps between them.
//
// Layout (little endian): 'CPTD' u8 version | 32-byte engine key | u32 memoryPages |
// u32 nGlobals | nGlobals × (u32 index, u8 type, 8-byte value) | u32 nSegments |
// nSegments × (u32 offset, u32 length) | all segment bytes (kept apart: compresses better).
import { gunzipSync, gzipSync } from 'node:zlib'

const MAGIC = 'CPTD'
const VERSION = 1
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
/**
 * Compression of task.data. Level 1 costs ~7 % in size against level 9 and is ~8× faster: the
 * encode sits on every rebuild's path (an edit → a new snapshot), the decode does not care.
 */
const GZIP_LEVEL = 1

export function encodeTaskData(engineKey: string, memoryPages: number, globals: SnapshotGlobal[], segments: { offset: number; data: Uint8Array }[]): Uint8Array {
  const headerLength = 5 + 32 + 8 + globals.length * 13 + 4 + segments.length * 8
  const out = new Uint8Array(headerLength + segments.reduce((sum, s) => sum + s.data.length, 0))
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
  view.setUint32(p, segments.length, true)
  p += 4
  for (const segment of segments) {
    view.setUint32(p, segment.offset, true)
    view.setUint32(p + 4, segment.data.length, true)
    p += 8
  }
  for (const segment of segments) {
    out.set(segment.data, p)
    p += segment.data.length
  }
  return gzipSync(out, { level: GZIP_LEVEL })
}

export function decodeTaskData(compressed: Uint8Array): TaskData {
  const bytes = gunzipSync(compressed)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC || bytes[4] !== VERSION) {
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
  const segmentCount = view.getUint32(p, true)
  p += 4
  const table = p
  const bytesOf = (start: number, length: number) => bytes.subarray(start, start + length)
  const segments: { offset: number; start: number; length: number }[] = []
  let source = table + segmentCount * 8
  for (let i = 0; i < segmentCount; i++) {
    const length = view.getUint32(table + i * 8 + 4, true)
    segments.push({ offset: view.getUint32(table + i * 8, true), start: source, length })
    source += length
  }
  segments.sort((a, b) => a.offset - b.offset)
  // Lay the ~10k segments out once as ~20 runs, so each sandbox costs a few copies, not 10k.
  const runs: MemoryRun[] = []
  for (let i = 0; i < segments.length; ) {
    let j = i
    let end = segments[i]!.offset + segments[i]!.length
    while (j + 1 < segments.length && segments[j + 1]!.offset - end < RUN_GAP) {
      j++
      end = Math.max(end, segments[j]!.offset + segments[j]!.length)
    }
    const offset = segments[i]!.offset
    const data = new Uint8Array(end - offset)
    for (let k = i; k <= j; k++) {
      const segment = segments[k]!
      data.set(bytesOf(segment.start, segment.length), segment.offset - offset)
    }
    runs.push({ offset, bytes: data })
    i = j + 1
  }
  return { engineKey, memoryPages, globals, imageOffset: runs[0]?.offset ?? 0, runs }
}

/** Copies the snapshot into a fresh (all-zero) memory, before the engine is instantiated on it. */
export function writeTaskMemory(memory: WebAssembly.Memory, task: TaskData): void {
  const bytes = new Uint8Array(memory.buffer)
  for (const run of task.runs) bytes.set(run.bytes, run.offset)
}

/** Gaps are checked in chunks this big: a clean chunk is only read, never written. */
const ZERO_CHUNK = 65_536
const ZEROS = Buffer.alloc(ZERO_CHUNK)

/**
 * Zeroes [start, end) where it is not zero already. Reading a page the sandbox never touched
 * maps the kernel's shared zero page (cheap, no memory used); writing it would allocate it. So
 * the gaps a call left alone cost no time to speak of and never grow the worker's RSS.
 */
function zeroDirty(buffer: ArrayBuffer, start: number, end: number): void {
  for (let chunk = start; chunk < end; chunk += ZERO_CHUNK) {
    const length = Math.min(ZERO_CHUNK, end - chunk)
    const view = Buffer.from(buffer, chunk, length)
    if (!view.equals(length === ZERO_CHUNK ? ZEROS : ZEROS.subarray(0, length))) view.fill(0)
  }
}

/**
 * Puts a used memory back to the snapshot byte for byte: the runs copied back, everything else
 * up to the snapshot's size zeroed. The memory must not have grown past the snapshot's size.
 */
export function resetTaskMemory(memory: WebAssembly.Memory, task: TaskData): void {
  const bytes = new Uint8Array(memory.buffer)
  let cursor = 0
  for (const run of task.runs) {
    if (run.offset > cursor) zeroDirty(memory.buffer, cursor, run.offset)
    bytes.set(run.bytes, run.offset)
    cursor = run.offset + run.bytes.length
  }
  zeroDirty(memory.buffer, cursor, task.memoryPages * WASM_PAGE)
}

/** Restores the snapshot's mutable globals (stack pointer, ...) before any guest code runs. */
export function restoreGlobals(instance: WebAssembly.Instance, task: TaskData): void {
  for (const global of task.globals) {
    (instance.exports[GLOBAL_EXPORT_PREFIX + global.index] as WebAssembly.Global).value = global.value
  }
}
