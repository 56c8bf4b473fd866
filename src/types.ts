// Public types of the contract (DESIGN.md part 1): task options, the envelope, plugin options.
import type { ComputeLevelName, DurationString, SizeString } from './options/literal-types.ts'

export type { ComputeLevelName, DurationString, SizeString } from './options/literal-types.ts'

export type ComputeLevel = 'LOW' | 'MEDIUM' | 'HIGH'

export type FileMode = 'read-only' | 'ro' | 'read-write' | 'rw'

export interface AllowedFile {
  path: string
  mode?: FileMode
}

export interface TaskOptions {
  /** `/^[A-Za-z_][A-Za-z0-9_-]*$/`, unique in its module. */
  name: string
  /** `'LOW' | 'MEDIUM' | 'HIGH'` (any case) or an exact positive integer of fuel. */
  compute?: ComputeLevelName | number
  /** `'512KB'`, `'64MB'`, `'1.5GB'`, `'64MiB'` (1024-based) or bytes. */
  ram?: SizeString | number
  /** `'500ms'`, `'30s'`, `'5m'`, `'1h'`, `'1m30s'`, or milliseconds. */
  timeout?: DurationString | number
  /** 0..10: a failed attempt is retried in a fresh sandbox. */
  maxRetries?: number
  /** Directories relative to the project root; mode defaults to read-write. */
  allowedFiles?: (string | AllowedFile)[]
  /** `'api.x.com'`, `'*.x.com'`, `'*'`, optional `:port`. */
  allowedHosts?: string[]
  /** Environment variable names readable inside the task. */
  envVariables?: string[]
}

export type ErrorType =
  | 'task_error'
  | 'timeout'
  | 'fuel_exhausted'
  | 'memory_exceeded'
  | 'wasm_trap'
  | 'permission_denied'
  | 'invalid_input'
  | 'invalid_output'
  | 'internal_error'

export interface TaskError {
  error_type: ErrorType
  /** Keeps the error's name: 'TypeError: cannot handle 5'. */
  message: string
  /** Stack frames mapped to the task module's own file:line:column, when the task threw an Error. */
  stack?: string
}

export interface HostRequest {
  method: string
  url: string
  status: number | null
  duration_ms: number
}

export type LogLevel = 'debug' | 'info' | 'log' | 'warn' | 'error'

export interface LogEntry {
  level: LogLevel
  message: string
}

export interface Execution {
  task_name: string
  /** Wall time from dispatch to answer, retries included. */
  duration_ms: number
  /** Retries actually performed. */
  retries: number
  /** Deterministic: same task + args => same number. */
  fuel_consumed: number
  /** Peak linear memory, bytes. */
  ram_used: number
  host_requests: HostRequest[]
  logs: LogEntry[]
}

interface EnvelopeBase {
  execution: Execution
}

/** What every call answers; narrows on `success`: `if (e.success) e.result` is a `T`. */
export type Envelope<T = unknown> = EnvelopeBase & (
  | { success: true; result: T; error: null }
  | { success: false; result: null; error: TaskError }
)

export interface CapsuleOptions {
  /** unplugin filter patterns for task modules (default `*.capsule.{ts,mts,js,mjs}`). */
  include?: string | RegExp | (string | RegExp)[]
  exclude?: string | RegExp | (string | RegExp)[]
  /** Defaults applied under every task's own options. */
  defaults?: Partial<Omit<TaskOptions, 'name'>>
  /** Default `node_modules/.cache/capsule`. */
  cacheDir?: string
  /** Manifest file name (default `capsule.manifest.json`) or `false`. */
  manifest?: string | false
  /** Project root (default the bundler's root or `process.cwd()`). */
  root?: string
  /**
   * Wall-clock budget for a task module's top-level code, which runs once at build time
   * (default `'60s'`; the same forms as a task's `timeout`). Past it the build fails.
   */
  buildTimeout?: string | number
}

/** `capsule.config.*`: the plugin's options plus project metadata the CLI reads. */
export interface CapsuleConfig extends CapsuleOptions {
  /** The workflow's name (metadata). */
  name?: string
  /** The workflow's version (metadata). */
  version?: string
  /** The task module `capsule run` runs when given no file (relative to the config file). */
  entrypoint?: string
}
