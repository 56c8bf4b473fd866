// What travels through Redis: the job a caller submits (the manifest named by its sha256, the
// task, the JSON arguments) and its result (the envelope). Shared by the client and the worker.
import { readFileSync } from 'node:fs'
import { CapsuleError } from '../runtime/errors.ts'
import { sha256Hex } from '../shared/sha256-file.ts'

/** The BullMQ queue name when none is given. */
export const DEFAULT_QUEUE = 'capsule'

export interface CapsuleJobData {
  /** sha256 (hex) of the capsule.manifest.json the job must run against. */
  manifest: string
  /** `path/to/x.capsule.ts#name`, as the manifest names it. */
  task: string
  args: unknown[]
}

/** The manifest's identity: the sha256 of its bytes (it lists every artifact's sha256 in turn). */
export function manifestSha256(path: string): string {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    throw new CapsuleError('INVALID_MANIFEST', `cannot read manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  return sha256Hex(bytes)
}

/** Completed jobs stay a while so a caller that subscribes late still reads the answer. */
export const KEEP_COMPLETED = { age: 3_600, count: 10_000 }
export const KEEP_FAILED = { age: 24 * 3_600 }
