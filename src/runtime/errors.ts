// Errors the runtime throws for caller mistakes (bad file, bad options, unknown task, bad
// manifest) — as opposed to anything the task does, which always becomes an envelope.

export type CapsuleErrorCode = 'TASK_NOT_FOUND' | 'INVALID_TASK_MODULE' | 'INVALID_MANIFEST' | 'INVALID_RUN_OPTIONS'
  /** The queue entry could not reach Redis (unplugin-capsule/queue). */
  | 'QUEUE_UNAVAILABLE'
  /** A feature needs an optional dependency (the build toolchain, the MCP SDK) that is not installed. */
  | 'MISSING_DEPENDENCY'

export class CapsuleError extends Error {
  constructor(readonly code: CapsuleErrorCode, message: string) {
    super(message)
    this.name = 'CapsuleError'
  }
}
