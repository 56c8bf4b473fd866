// The sha256 (hex) of bytes, or of a file's contents: how build outputs pin their artifacts and
// the WIT world, how shipped files are checked.
// Read in 64 KiB pieces, never whole: a ~12 MB Buffer (the engine) freed after hashing would
// raise glibc's malloc thresholds for the rest of the process and leave every malloc arena
// holding up to 24 MB of freed memory (runtime/mapped-file.ts says more).
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'

const PIECE = 64 * 1024

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function sha256File(path: string): string {
  const hash = createHash('sha256')
  const piece = Buffer.allocUnsafe(PIECE)
  const fd = openSync(path, 'r')
  try {
    for (let read = readSync(fd, piece, 0, PIECE, null); read > 0; read = readSync(fd, piece, 0, PIECE, null)) hash.update(piece.subarray(0, read))
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}
