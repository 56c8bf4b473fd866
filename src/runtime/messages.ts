// Messages between the runtime (main thread) and a sandbox worker.
import type { ResolvedPolicy } from '../options/policy.ts'
import type { HostRequest, LogEntry, TaskError } from '../types.ts'
import type { FileMount } from './capabilities/files.ts'
import type { SubtaskRequestMessage } from './host/subtask-channel.ts'

export type { SubtaskRequestMessage }

export interface CallContext {
  env: Record<string, string>
  argv: string[]
  cwd: string
}

/** A directory granted for one run (`--mount`), under a guest alias. */
export type Mount = FileMount

export interface RunRequest {
  type: 'run'
  id: number
  /** The lane (call-lanes.ts) that tracks this call's start and end in shared memory. */
  lane: number
  /** The shared engine's directory (its modules were posted with an EngineMessage first). */
  engineDir: string
  /** The task module's snapshot directory. */
  moduleDir: string
  root: string
  argsJson: string
  context: CallContext
  policy: ResolvedPolicy
  mounts: Mount[]
}

/** Pre-instantiate a sandbox for a module a worker has not run yet, off the caller's path. */
export interface PrepareRequest {
  type: 'prepare'
  engineDir: string
  moduleDir: string
  ram: number | null
}

/** The engine's compiled modules, sent once per worker before the first call that needs them. */
export interface EngineMessage {
  type: 'engine'
  dir: string
  key: string
  modules: Map<string, WebAssembly.Module>
}

/** Read ahead what a module's sandboxes need (its snapshot, the engine's glue) while the engine still compiles. */
export interface PreloadRequest {
  type: 'preload'
  engineDir: string
  moduleDir: string
}

/**
 * Run the engine once on another module's snapshot, calling no task, before the first call: V8
 * compiles the engine's call path then (a new worker's first call paid ~50 ms for it), while the
 * module the worker will run is still being built.
 */
export interface WarmUpRequest {
  type: 'warm-up'
  engineDir: string
  /** A module built for the same engine (its task.data). */
  moduleDir: string
}

export type WorkerRequest = RunRequest | PrepareRequest | EngineMessage | PreloadRequest | WarmUpRequest

/** What one attempt produced, before the runtime wraps it into an envelope. */
export interface AttemptOutcome {
  /** The task's result (a JSON value) when error is null. */
  result: unknown
  error: TaskError | null
  fuelConsumed: number
  ramUsed: number
  logs: LogEntry[]
  hostRequests: HostRequest[]
}

/** How the sandbox that served a call came to be: made new, or reset in place after a call. */
export type SandboxOrigin = 'fresh' | 'reset'

export interface RunReply {
  type: 'done'
  id: number
  lane: number
  outcome: AttemptOutcome
  /** Absent when the call failed before any sandbox existed. */
  sandbox?: SandboxOrigin
}

export type WorkerReply = RunReply | SubtaskRequestMessage
