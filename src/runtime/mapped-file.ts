// Reads a file into a buffer that V8 maps itself (a resizable ArrayBuffer) instead of one from
// malloc, for the big files the runtime reads once and drops (the ~12 MB engine, a module's
// snapshot). glibc serves a big malloc with mmap, and freeing it raises its mmap threshold to
// that size and its trim threshold to twice that for the rest of the process (its "dynamic
// threshold"): from then on every thread's malloc arena keeps that much freed memory — with the
// engine's 12 MB, ~24 MB per arena, most of it the zones V8 used to compile the engine
// (bench/memory.mjs measured ~15–30 MB of a long-lived runtime's RSS). A mapped buffer is
// unmapped by V8 and never touches those thresholds.
import { open, type FileHandle } from 'node:fs/promises'

/**
 * A big file is read as this many pieces at once, each by one of libuv's threads: most of a read
 * is the first touch of the buffer's fresh pages (~18 µs each on a VM), and two threads fault
 * them in side by side. The ~12 MB engine: ~50 ms in one read, 27–32 ms in two (four read no
 * better on two cores, and would hold the whole thread pool).
 */
const PIECES = 2
/** Files below this size are read in one piece (a round trip through the pool costs more). */
const SPLIT_FROM = 4 * 1024 * 1024

/** ArrayBuffer's ES2024 constructor (Node ≥ 20), which the project's TypeScript lib predates. */
const ResizableArrayBuffer = ArrayBuffer as unknown as new (size: number, options: { maxByteLength: number }) => ArrayBuffer

/** A zeroed buffer of `size` bytes that V8 maps itself. */
export function mappedBuffer(size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new ResizableArrayBuffer(size, { maxByteLength: Math.max(size, 1) }))
}

export async function readFileMapped(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const file = await open(path)
  try {
    const { size } = await file.stat()
    const bytes = mappedBuffer(size)
    const piece = size < SPLIT_FROM ? size : Math.ceil(size / PIECES)
    const reads: Promise<void>[] = []
    for (let start = 0; start < size; start += piece) reads.push(readRange(file, path, bytes, start, Math.min(start + piece, size)))
    await Promise.all(reads)
    return bytes
  } finally {
    await file.close()
  }
}

/** Fills bytes[start, end) from the same range of the file. */
async function readRange(file: FileHandle, path: string, bytes: Uint8Array, start: number, end: number): Promise<void> {
  for (let offset = start; offset < end;) {
    const { bytesRead } = await file.read(bytes, offset, end - offset, offset)
    if (bytesRead === 0) throw new Error(`${path} got shorter while it was read`)
    offset += bytesRead
  }
}
