// createRuntime(): resolves what to run (a task module compiled on demand, or a manifest's
// prebuilt artifacts), then runs the call in a fresh sandbox with retries, and answers an
// envelope. The compiler is imported lazily, only when a `file` is given.
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import type { Envelope } from '../types.ts'
import { findTaskEntry, type ModuleArtifact, type TaskEntry } from './artifact.ts'
import { resolveEnv } from './capabilities/env.ts'
import { makeEnvelope, failureEnvelope } from './envelope.ts'
import { CapsuleError } from './errors.ts'
import type { AttemptOutcome, Mount } from './messages.ts'
import { parseMount } from './mounts.ts'
import { WorkerPool } from './pool.ts'
import { ModuleResolver } from './module-resolver.ts'

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
  /** Lifecycle lines (compile, cache hit/miss), for `--verbose`. */
  onEvent?: (message: string) => void
}

export interface RuntimeOptions {
  poolSize?: number
  cwd?: string
  cacheDir?: string
  idleTimeout?: string | number
}

export interface Runtime {
  run(options: RunOptions): Promise<Envelope>
  close(): Promise<void>
}

let nextCallId = 1

function argsJsonOf(args: unknown[]): string | undefined {
  try {
    const json = JSON.stringify(args, (_key, value: unknown) => {
      if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' || value === undefined) {
        throw new TypeError(`${typeof value} is not a JSON value`)
      }
      if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${value} is not a JSON value`)
      return value
    })
    return json
  } catch {
    return undefined
  }
}

function idleTimeoutMs(value: string | number | undefined): number | null {
  if (value === undefined) return 60_000
  if (typeof value === 'number') return value
  const match = /^(\d+)(ms|s|m)$/.exec(value)
  if (!match) throw new CapsuleError('INVALID_RUN_OPTIONS', `invalid idleTimeout "${value}"; accepted: a number of ms or '500ms', '30s', '5m'`)
  return Number(match[1]) * ({ ms: 1, s: 1_000, m: 60_000 } as const)[match[2] as 'ms' | 's' | 'm']
}

export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const pool = new WorkerPool({
    size: options.poolSize ?? Math.max(2, Math.min(4, availableParallelism())),
    idleTimeoutMs: idleTimeoutMs(options.idleTimeout),
  })
  const resolver = new ModuleResolver(options.cacheDir)

  async function attempt(artifact: ModuleArtifact, entry: TaskEntry, argsJson: string, mounts: Mount[], signal?: AbortSignal): Promise<AttemptOutcome> {
    const worker = await pool.acquire()
    try {
      return await worker.call({
        type: 'run',
        id: nextCallId++,
        componentDir: artifact.dir,
        root: artifact.root,
        taskName: entry.policy.name,
        argsJson,
        context: { env: resolveEnv(entry.policy.env, artifact.root), argv: [entry.policy.name], cwd: '/' },
        policy: entry.policy,
        mounts,
      }, { timeoutMs: entry.policy.timeout, signal })
    } finally {
      pool.release(worker)
    }
  }

  async function run(runOptions: RunOptions): Promise<Envelope> {
    const cwd = resolve(runOptions.cwd ?? options.cwd ?? process.cwd())
    const { artifact, taskName } = await resolver.resolve(runOptions, cwd)
    const startedAt = performance.now()
    const entry = findTaskEntry(artifact, taskName)
    if (!entry) {
      const known = artifact.tasks.map((task) => task.policy.name).join(', ')
      throw new CapsuleError('TASK_NOT_FOUND', `unknown task "${taskName}" in ${artifact.source} (tasks: ${known})`)
    }
    const mounts = (runOptions.mounts ?? []).map((spec) => parseMount(spec, cwd))
    pool.prepare(artifact.dir)
    const argsJson = argsJsonOf(runOptions.args ?? [])
    if (argsJson === undefined) {
      return failureEnvelope(entry.policy.name, startedAt, { error_type: 'invalid_input', message: 'the arguments must be JSON values (no BigInt, functions, undefined, NaN or cycles)' })
    }
    const outcomes: AttemptOutcome[] = []
    for (let tries = 0; tries <= entry.policy.maxRetries; tries++) {
      const outcome = await attempt(artifact, entry, argsJson, mounts, runOptions.signal)
      outcomes.push(outcome)
      if (!outcome.error || runOptions.signal?.aborted) break
    }
    const last = outcomes[outcomes.length - 1]!
    return makeEnvelope({
      taskName: entry.policy.name,
      startedAt,
      result: last.result,
      error: last.error,
      retries: outcomes.length - 1,
      fuelConsumed: outcomes.reduce((sum, o) => sum + o.fuelConsumed, 0),
      ramUsed: Math.max(...outcomes.map((o) => o.ramUsed)),
      hostRequests: outcomes.flatMap((o) => o.hostRequests),
      logs: outcomes.flatMap((o) => o.logs),
    })
  }

  return { run, close: () => pool.close() }
}

let sharedRuntime: Runtime | undefined

/** Runs a task on the shared default runtime (its idle workers never keep the process alive). */
export function run(options: RunOptions): Promise<Envelope> {
  sharedRuntime ??= createRuntime()
  return sharedRuntime.run(options)
}
