// A run's options (`RunOptions`) and their check before anything runs: a caller's mistake
// (`args: 5`, `mounts: './data'`, `fille: ...`) rejects with CapsuleError INVALID_RUN_OPTIONS
// naming the field and what it takes, instead of surfacing later as a task_error from inside
// the sandbox.
import { suggestOption } from '../options/known.ts'
import { CapsuleError } from './errors.ts'
import type { CapsuleEvent } from './events.ts'

export interface RunOptions {
  /** A task module: compiled on demand (the compiler is imported lazily, only here). */
  file?: string
  /** A capsule.manifest.json: prebuilt artifacts, no compiler. */
  manifest?: string
  /** 'main' by default; 'path/to/x.capsule.ts#name' when a manifest has several modules. */
  task?: string
  /** JSON values. */
  args?: unknown[]
  /** 'HOST[::GUEST][:ro|:rw]' */
  mounts?: string[]
  /** Project root for relative paths and .env (default process.cwd()). */
  cwd?: string
  /** Abort: the call is stopped and answered with error_type 'timeout'. */
  signal?: AbortSignal
  /** This run's lifecycle events (its sub-tasks' too), e.g. for `--verbose` or `--trace`. */
  onEvent?: (event: CapsuleEvent) => void
}

type Check = (value: unknown) => boolean

const isString: Check = (value) => typeof value === 'string' && value !== ''

/** Each documented field: how to check it and what it accepts (for the message). */
const FIELDS: Record<string, { check: Check; accepted: string }> = {
  file: { check: isString, accepted: "a task module's path, e.g. 'tasks/hello.capsule.ts'" },
  manifest: { check: isString, accepted: "a capsule.manifest.json path, e.g. 'dist/capsule.manifest.json'" },
  task: { check: isString, accepted: "a task name, e.g. 'main', or 'path/to/x.capsule.ts#name'" },
  args: { check: Array.isArray, accepted: "an array of JSON values, e.g. args: [2, 3] or args: ['text']" },
  mounts: { check: (value) => Array.isArray(value) && value.every(isString), accepted: "an array of 'HOST[::GUEST][:ro|:rw]' strings, e.g. ['./data::input:ro']" },
  cwd: { check: isString, accepted: 'a directory path' },
  signal: { check: (value) => value instanceof AbortSignal, accepted: 'an AbortSignal, e.g. AbortSignal.timeout(5000)' },
  onEvent: { check: (value) => typeof value === 'function', accepted: 'a function' },
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`
  return typeof value === 'object' ? 'an object' : typeof value
}

function invalid(message: string): CapsuleError {
  return new CapsuleError('INVALID_RUN_OPTIONS', `run(): ${message}`)
}

/** Throws CapsuleError INVALID_RUN_OPTIONS for the first bad field. */
export function validateRunOptions(options: RunOptions): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`options must be an object like { file, task, args }, got ${describe(options)}`)
  }
  for (const [key, value] of Object.entries(options)) {
    const field = FIELDS[key]
    if (!field) {
      // A typo of a known field is refused; other fields (e.g. added by a newer runtime) pass through.
      const hint = suggestOption(key, Object.keys(FIELDS))
      if (hint) throw invalid(`unknown option "${key}" (did you mean "${hint}"?)`)
      continue
    }
    if (value !== undefined && !field.check(value)) throw invalid(`option "${key}" must be ${field.accepted}, got ${describe(value)}`)
  }
}
