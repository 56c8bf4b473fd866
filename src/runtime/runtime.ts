// createRuntime(): resolves what to run (a task module compiled on demand, or a manifest's
// prebuilt artifacts), runs each attempt in a fresh sandbox with retries, and answers an
// envelope. Sub-tasks asked for by a guest run here too, in another worker, under the
// intersection of the callee's and the caller's policy. The compiler is imported lazily.
import { resolve } from 'node:path'
import type { ResolvedPolicy } from '../options/policy.ts'
import type { CapsuleOptions, Envelope, TaskError } from '../types.ts'
import { findTaskEntry, type ModuleArtifact } from './artifact.ts'
import { resolveEnv } from './capabilities/env.ts'
import { failureEnvelope, makeEnvelope } from './envelope.ts'
import { CapsuleError } from './errors.ts'
import { traceCall } from './diagnostics.ts'
import { newCallId, type CallIdentity, type CallInfo, type CapsuleEvent, type CapsuleEventListener, type CapsuleEventType } from './events.ts'
import { compileReporter, createLifecycle, moduleName } from './lifecycle.ts'
import type { AttemptOutcome, Mount, SubtaskRequestMessage } from './messages.ts'
import { ModuleResolver } from './module-resolver.ts'
import { parseMount } from './mounts.ts'
import { parseDuration } from '../options/index.ts'
import { jsonLimitProblem } from './json-limits.ts'
import { intersectPolicy } from './policy-intersection.ts'
import { DEFAULT_POOL_SIZE, WorkerPool, type SandboxStats } from './pool.ts'
import { validateRunOptions, type RunOptions } from './run-options.ts'

export interface RuntimeOptions {
  poolSize?: number
  cwd?: string
  cacheDir?: string
  idleTimeout?: string | number
  /** Project defaults (capsule.config) applied under task options when a `file` is compiled. */
  defaults?: CapsuleOptions['defaults']
  /** Every lifecycle event of every call this runtime runs. */
  onEvent?: (event: CapsuleEvent) => void
  /** Start a sandbox worker now, not on the first call (a one-shot CLI overlaps its start with resolving the module). */
  prestart?: boolean
  /** Budget (ms) for a compiled `file`'s top-level code at build time (capsule.config `buildTimeout`). */
  buildTimeout?: number
}

export interface Runtime {
  run(options: RunOptions): Promise<Envelope>
  close(): Promise<void>
  /** Subscribes to one event type, or '*' for all; returns the unsubscribe function. */
  on<T extends CapsuleEventType>(type: T | '*', listener: CapsuleEventListener<T>): () => void
  /** The calls in flight (sub-tasks included) and their state. */
  calls(): CallInfo[]
  /** How the calls so far were served: a new sandbox, or one reset in place (for tests and stats). */
  sandboxStats(): SandboxStats
}

/** One call as its events name it, and where its run's own listener is. */
interface CallScope {
  who: CallIdentity
  perRun?: (event: CapsuleEvent) => void
}

/**
 * Host-side only (not part of the public API): a runtime that can also run a task under an
 * explicit policy the host built and validated itself (runJavaScript, `capsule mcp --eval`),
 * instead of the one in the task's manifest. Never fed from anything the guest says.
 */
export interface PolicyRuntime extends Runtime {
  runWithPolicy(options: RunOptions, policy: Omit<ResolvedPolicy, 'name'>): Promise<Envelope>
}

/** How deep sub-tasks may nest (a task calling a task calling a task ...). */
export const MAX_SUBTASK_DEPTH = 8

/** One attempt in flight: what a sub-task it asks for may inherit. */
interface CallFrame {
  artifact: ModuleArtifact
  policy: ResolvedPolicy
  depth: number
  startedAt: number
  children: Set<AbortController>
  call: CallScope
}

let nextCallId = 1

function argsJsonOf(args: unknown[]): string | undefined {
  try {
    return JSON.stringify(args, (_key, value: unknown) => {
      if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol' || value === undefined) {
        throw new TypeError(`${typeof value} is not a JSON value`)
      }
      if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${value} is not a JSON value`)
      return value
    })
  } catch {
    return undefined
  }
}

function attemptEnd(attempt: number, outcome: AttemptOutcome, startedAt: number) {
  return {
    type: 'attempt:end' as const,
    attempt,
    success: outcome.error === null,
    error_type: outcome.error?.error_type ?? null,
    fuel: outcome.fuelConsumed,
    ram: outcome.ramUsed,
    duration_ms: Math.round(performance.now() - startedAt),
  }
}

/** A sub-task's envelope for its blocked caller; one that cannot be serialized still answers. */
function envelopeJson(envelope: Envelope): string {
  try {
    return JSON.stringify(envelope)
  } catch (error) {
    const message = `the sub-task's answer cannot be serialized: ${(error as Error).message}`
    return JSON.stringify({ ...envelope, success: false, result: null, error: { error_type: 'invalid_output', message } })
  }
}

function idleTimeoutMs(value: string | number | undefined): number {
  if (value === undefined) return 60_000
  try {
    return parseDuration(value, 'idleTimeout')
  } catch (error) {
    throw new CapsuleError('INVALID_RUN_OPTIONS', (error as Error).message)
  }
}

export function createRuntime(options: RuntimeOptions = {}): Runtime {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- closures over the pool: they never use `this`
  const { run, close, on, calls, sandboxStats } = createPolicyRuntime(options)
  return { run, close, on, calls, sandboxStats }
}

export function createPolicyRuntime(options: RuntimeOptions = {}): PolicyRuntime {
  const frames = new Map<number, CallFrame>()
  const pool = new WorkerPool({
    size: options.poolSize ?? DEFAULT_POOL_SIZE,
    idleTimeoutMs: idleTimeoutMs(options.idleTimeout),
    onSubtask: runSubtask,
  })
  if (options.prestart) pool.prestart()
  // While a module compiles, a worker boots and the engine it will run on is compiled and sent.
  const resolver = new ModuleResolver(options.cacheDir, options.defaults, options.buildTimeout, (engine) => pool.warmEngine(engine))
  const { events, ready } = createLifecycle(options.onEvent)
  const emit: typeof events.emit = (who, event, perRun) => events.emit(who, event, perRun)

  async function attempt(artifact: ModuleArtifact, policy: ResolvedPolicy, argsJson: string, mounts: Mount[], depth: number, signal: AbortSignal | undefined, call: CallScope, number: number): Promise<AttemptOutcome> {
    const id = nextCallId++
    const frame: CallFrame = { artifact, policy, depth, startedAt: performance.now(), children: new Set(), call }
    frames.set(id, frame)
    const onDispatch = () => {
      if (number === 1) emit(call.who, { type: 'call:start' }, call.perRun)
      emit(call.who, { type: 'attempt:start', attempt: number }, call.perRun)
    }
    try {
      return await pool.run({
        type: 'run',
        id,
        root: artifact.root,
        argsJson,
        context: { env: resolveEnv(policy.env, artifact.root), argv: [policy.name], cwd: '/' },
        policy,
        mounts,
      }, { engine: artifact.engine, moduleDir: artifact.dir, ram: policy.ram }, { timeoutMs: policy.timeout, signal }, { overflow: depth > 0, onDispatch })
    } finally {
      frames.delete(id)
      // A caller that ended (answered, timed out, killed) takes its in-flight sub-tasks with it.
      for (const child of frame.children) child.abort()
    }
  }

  /** Runs one task with its retries and answers the envelope. */
  async function execute(artifact: ModuleArtifact, policy: ResolvedPolicy, argsJson: string, mounts: Mount[], depth: number, signal: AbortSignal | undefined, call: CallScope): Promise<Envelope> {
    const startedAt = performance.now()
    const outcomes: AttemptOutcome[] = []
    for (let tries = 0; tries <= policy.maxRetries; tries++) {
      const attemptStarted = performance.now()
      const outcome = await attempt(artifact, policy, argsJson, mounts, depth, signal, call, tries + 1)
      emit(call.who, attemptEnd(tries + 1, outcome, attemptStarted), call.perRun)
      outcomes.push(outcome)
      if (!outcome.error || signal?.aborted) break
      if (tries < policy.maxRetries) emit(call.who, { type: 'call:retry', attempt: tries + 2, error_type: outcome.error.error_type }, call.perRun)
    }
    const last = outcomes[outcomes.length - 1]!
    return answer(call, makeEnvelope({
      taskName: policy.name,
      startedAt,
      result: last.result,
      error: last.error,
      retries: outcomes.length - 1,
      fuelConsumed: outcomes.reduce((sum, o) => sum + o.fuelConsumed, 0),
      ramUsed: Math.max(...outcomes.map((o) => o.ramUsed)),
      hostRequests: outcomes.flatMap((o) => o.hostRequests),
      logs: outcomes.flatMap((o) => o.logs),
    }))
  }

  function answer(call: CallScope, envelope: Envelope): Envelope {
    emit(call.who, { type: 'call:end', envelope }, call.perRun)
    return envelope
  }

  /** A guest called another task: run it in a fresh sandbox under the narrowed policy. */
  async function runSubtask(request: SubtaskRequestMessage): Promise<string> {
    const startedAt = performance.now()
    const refuse = (error: TaskError) => JSON.stringify(failureEnvelope(request.name, startedAt, error))
    const caller = frames.get(request.callId)
    if (!caller) return refuse({ error_type: 'internal_error', message: 'the calling task is no longer running' })
    const entry = findTaskEntry(caller.artifact, request.name)
    if (!entry) return refuse({ error_type: 'invalid_input', message: `unknown task "${request.name}"` })
    if (caller.depth + 1 > MAX_SUBTASK_DEPTH) {
      return refuse({ error_type: 'permission_denied', message: `sub-task "${request.name}" refused: sub-tasks may nest at most ${MAX_SUBTASK_DEPTH} deep` })
    }
    const tooMuch = typeof request.argsJson === 'string' ? jsonLimitProblem(request.argsJson, 'the arguments') : 'the arguments are not JSON'
    if (tooMuch) return refuse({ error_type: 'invalid_input', message: tooMuch })
    let args: unknown
    try {
      args = JSON.parse(request.argsJson)
    } catch {
      // reported below
    }
    if (!Array.isArray(args)) return refuse({ error_type: 'invalid_input', message: 'the arguments must be JSON values' })
    const elapsed = performance.now() - caller.startedAt
    const policy = intersectPolicy(entry.policy, caller.policy, {
      remainingMs: caller.policy.timeout === null ? null : caller.policy.timeout - elapsed,
      remainingFuel: request.fuelLeft,
    })
    const controller = new AbortController()
    caller.children.add(controller)
    const call: CallScope = {
      who: { callId: newCallId(), parentId: caller.call.who.callId, task: policy.name, module: caller.call.who.module },
      perRun: caller.call.perRun,
    }
    emit(call.who, { type: 'call:queued' }, call.perRun)
    try {
      return envelopeJson(await traceCall(call.who, () => execute(caller.artifact, policy, request.argsJson, [], caller.depth + 1, controller.signal, call)))
    } finally {
      caller.children.delete(controller)
    }
  }

  async function run(runOptions: RunOptions, override?: Omit<ResolvedPolicy, 'name'>): Promise<Envelope> {
    validateRunOptions(runOptions)
    const cwd = resolve(runOptions.cwd ?? options.cwd ?? process.cwd())
    await ready()
    const callId = newCallId()
    const perRun = runOptions.onEvent
    const compiling = { callId, task: runOptions.task ?? 'main', module: moduleName({ source: resolve(cwd, runOptions.file ?? ''), root: cwd }) }
    const { artifact, taskName } = await resolver.resolve(runOptions, cwd, compileReporter(events, compiling, perRun))
    const found = findTaskEntry(artifact, taskName)
    if (!found) {
      const known = artifact.tasks.map((task) => task.policy.name).join(', ')
      throw new CapsuleError('TASK_NOT_FOUND', `unknown task "${taskName}" in ${artifact.source} (tasks: ${known})`)
    }
    const entry = override ? { ...found, policy: { ...override, name: found.policy.name } } : found
    const mounts = (runOptions.mounts ?? []).map((spec) => parseMount(spec, cwd))
    pool.prepare({ engine: artifact.engine, moduleDir: artifact.dir, ram: entry.policy.ram })
    const call: CallScope = { who: { callId, task: entry.policy.name, module: moduleName(artifact) }, perRun }
    emit(call.who, { type: 'call:queued' }, perRun)
    const argsJson = argsJsonOf(runOptions.args ?? [])
    if (argsJson === undefined) {
      return answer(call, failureEnvelope(entry.policy.name, performance.now(), {
        error_type: 'invalid_input',
        message: 'the arguments must be JSON values (no BigInt, functions, undefined, NaN or cycles)',
      }))
    }
    return traceCall(call.who, () => execute(artifact, entry.policy, argsJson, mounts, 0, runOptions.signal, call))
  }

  return {
    run: (runOptions) => run(runOptions),
    runWithPolicy: run,
    close: () => pool.close(),
    on: (type, listener) => events.on(type, listener),
    calls: () => events.calls(),
    sandboxStats: () => pool.sandboxStats(),
  }
}

let sharedRuntime: Runtime | undefined

/** Runs a task on the shared default runtime (its idle workers never keep the process alive). */
export function run(options: RunOptions): Promise<Envelope> {
  sharedRuntime ??= createRuntime()
  return sharedRuntime.run(options)
}
