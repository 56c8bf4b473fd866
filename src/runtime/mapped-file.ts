// Reads a file into a buffer that V8 maps itself (a resizable ArrayBuffer) instead of one from
// malloc, for the big files the runtime reads once and drops (the ~12 MB engine, a module's
// snapshot). glibc serves a big malloc with mmap, and freeing it raises its mmap threshold to
// that size and its trim threshold to twice that for the rest of the process (its "dynamic
// threshold"): from then on every thread's malloc arena keeps that much freed memory — with the
// engine's 12 MB, ~24 MB per arena, most of it the zones V8 used to compile the engine
// (bench/memory.mjs measured ~15–30 MB of a long-lived runtime's RSS). A mapped buffer is
// unmapped by V8 and never touches those thresholds.
import { open } from 'node:fs/promises'

/**
 * Read in pieces this big: straight into the mapped buffer, so the size costs no memory, while
 * every piece is a round trip through libuv's thread pool (12 MB in 64 KiB pieces took ~75 ms
 * on the one-shot CLI's path, one read ~15 ms).
 */
const PIECE = 16 * 1024 * 1024

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
    for (let offset = 0; offset < size;) {
      const { bytesRead } = await file.read(bytes, offset, Math.min(PIECE, size - offset), offset)
      if (bytesRead === 0) throw new Error(`${path} got shorter while it was read`)
      offset += bytesRead
    }
    return bytes
  } finally {
    await file.close()
  }
}
