// Where the built guest runtime (dist/guest/*.mjs) lives, relative to this compiled file.
import { fileURLToPath } from 'node:url'

export function guestFile(name: string): string {
  return fileURLToPath(new URL(`./guest/${name}.mjs`, import.meta.url))
}

export const WIT_FILE = fileURLToPath(new URL('../wit/capsule.wit', import.meta.url))
