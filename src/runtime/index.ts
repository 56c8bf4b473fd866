// `unplugin-capsule/runtime`: run prebuilt or on-demand-compiled tasks in sandboxes.
// Importing this module must never load the compiler.
export { createRuntime, run, type RunOptions, type Runtime, type RuntimeOptions } from './runtime.ts'
export { CapsuleError, type CapsuleErrorCode } from './errors.ts'
export type { Envelope, ErrorType, Execution, HostRequest, LogEntry, TaskError } from '../types.ts'
