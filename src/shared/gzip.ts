// What a gzip stream says about itself: its magic bytes (a stored file is gzipped or not: wasm
// starts with \0asm, task.data with CPTD) and the size it inflates to (ISIZE, its last 4 bytes,
// modulo 2^32: exact for the files this package stores).
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b
}

export function gzipInflatedSize(gzipped: Uint8Array): number {
  return new DataView(gzipped.buffer, gzipped.byteOffset + gzipped.byteLength - 4, 4).getUint32(0, true)
}
