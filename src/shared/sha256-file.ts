// The sha256 (hex) of a file's contents: how build outputs pin their artifacts and the WIT world.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}
