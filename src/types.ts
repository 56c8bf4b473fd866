// Public types of the contract (DESIGN.md part 1): task options, the envelope, plugin options.

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
  compute?: ComputeLevel | Lowercase<ComputeLevel> | (string & {}) | number
  /** `'512KB'`, `'64MB'`, `'1.5GB'`, `'64MiB'` (1024-based) or bytes. */
  ram?: string | number
  /** `'500ms'`, `'30s'`, `'5m'`, `'1h'`, `'1m30s'`, or milliseconds. */
  timeout?: string | number
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
  message: string
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

export interface Envelope<T = unknown> {
  success: boolean
  /** null when success is false */
  result: T | null
  error: TaskError | null
  execution: Execution
}

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
