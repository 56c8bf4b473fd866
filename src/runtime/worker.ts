// Sandbox worker entry: runs one call at a time, each in a sandbox in the state of a fresh
// instance. After a call that ended cleanly the same sandbox is reset in place (sandbox-reset.ts:
// ~0.3 ms) for the next one; after a trap, an unclean throw, memory growth or a busy glue it is
// dropped and a new instance is made right after the answer is posted, off the caller's path,
// on the dropped one's memory restored to the snapshot when it did not grow (component-loader.ts).
// The main thread tracks each call's start and end in shared memory (call-lanes.ts) and
// terminates this whole thread on timeout, which is what stops a CPU-bound guest; fuel and the
// memory cap stop the others from inside.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { CallLanes, Readiness } from './call-lanes.ts'
import { runAttempt } from './attempt.ts'
import { instantiateSandbox, loadEngine, loadSnapshot, preload, RamTooSmall, readSnapshot, registerEngine, type Sandbox } from './component-loader.ts'
import { CallState } from './host/call-state.ts'
import { hostImports } from './host/imports.ts'
import { createSubtaskCaller } from './host/subtask-channel.ts'
import type { AttemptOutcome, PrepareRequest, RunRequest, SandboxOrigin, WarmUpRequest, WorkerReply, WorkerRequest } from './messages.ts'
import { failedAttempt } from './envelope.ts'
import { wasiImports } from './wasi/index.ts'
import { stackMapperFor } from './stack-map.ts'
import { errorMessage } from '../shared/error-message.ts'

export interface SandboxWorkerData {
  subtaskPort: MessagePort
  subtaskSignal: SharedArrayBuffer
  lanes: SharedArrayBuffer
  /** False: a fresh instance for every call (the bench's baseline, the equivalence test's reference). */
  reuseSandboxes: boolean
}

const port = parentPort!
const wiring = workerData as SandboxWorkerData
const lanes = new CallLanes(wiring.lanes)
const idleState = new CallState(0, { name: '', fuel: 0, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] }, '/', [])
let state: CallState | undefined
const current = (): CallState => state ?? idleState

const callSubtask = createSubtaskCaller({
  port: wiring.subtaskPort,
  signal: wiring.subtaskSignal,
  post: (message) => port.postMessage(message),
})

const imports = {
  ...wasiImports((text) => current().log('error', text.replace(/\n$/, ''))),
  'capsule:sandbox/host': hostImports(current, callSubtask),
}

interface Target { engineDir: string; moduleDir: string; ram: number | null }

/** The one sandbox kept ready for the next call: new, or reset in place after the last one. */
let ready: { key: string; sandbox: Sandbox; origin: SandboxOrigin } | undefined
/**
 * The memory of the last dropped sandbox (or of the warm-up's), for the next new instance under
 * the same ram cap (its maximum): any module's, since the new instance restores every byte of it
 * to its own snapshot (component-loader.ts; only the pages either snapshot wrote are touched), and
 * one of another size is left for a new memory, whose pages all fault in as the snapshot is copied
 * (~15–20 ms on a VM).
 */
let spare: { ram: number | null; memory: WebAssembly.Memory } | undefined

const keyOf = (target: Target) => `${target.moduleDir}\0${target.ram}`

async function makeSandbox(target: Target): Promise<Sandbox> {
  const [engine, snapshot] = await Promise.all([loadEngine(target.engineDir), loadSnapshot(target.moduleDir)])
  const recycled = spare?.ram === target.ram ? spare.memory : undefined
  spare = undefined
  return instantiateSandbox(engine, snapshot, target.ram, imports, recycled)
}

/**
 * Keeps a dropped sandbox's memory, made under `ram`, for the next instance (not when every call
 * must get a new one).
 */
function drop(ram: number | null, sandbox: Sandbox): void {
  const memory = wiring.reuseSandboxes ? sandbox.recyclableMemory() : undefined
  spare = memory ? { ram, memory } : undefined
}

/** Keeps a sandbox for the next call and tells the main thread (call-lanes.ts). */
function keepReady(entry: { key: string; sandbox: Sandbox; origin: SandboxOrigin }): void {
  ready = entry
  lanes.setReadiness(Readiness.Ready)
}

async function takeSandbox(target: Target): Promise<{ sandbox: Sandbox; origin: SandboxOrigin }> {
  const key = keyOf(target)
  const kept = ready?.key === key ? ready : undefined
  ready = undefined
  lanes.setReadiness(Readiness.Making)
  return kept ?? { sandbox: await makeSandbox(target), origin: 'fresh' }
}

/** Makes a new sandbox for a target unless one is ready (failures surface on the next call). */
async function prepare(target: Target): Promise<void> {
  const key = keyOf(target)
  if (ready?.key === key) return
  try {
    const sandbox = await makeSandbox(target)
    if (!ready) keepReady({ key, sandbox, origin: 'fresh' })
  } catch {
    // the call that needs it will make it again and report why it failed
  }
}

function reply(message: WorkerReply): void {
  try {
    port.postMessage(message)
  } catch (error) {
    // A result the structured clone cannot carry still answers the call.
    if (message.type !== 'done') throw error
    port.postMessage({ type: 'done', id: message.id, outcome: failedAttempt({ error_type: 'invalid_output', message: 'the result cannot be passed to the host' }) })
  }
}

function resetSucceeds(sandbox: Sandbox): boolean {
  try {
    return sandbox.reset() === null
  } catch {
    return false
  }
}

async function run(request: RunRequest): Promise<void> {
  const target: Target = { engineDir: request.engineDir, moduleDir: request.moduleDir, ram: request.policy.ram }
  let taken: { sandbox: Sandbox; origin: SandboxOrigin }
  try {
    taken = await takeSandbox(target)
  } catch (error) {
    if (!lanes.start(request.lane, request.id)) return
    const message = errorMessage(error)
    const outcome = error instanceof RamTooSmall
      ? failedAttempt({ error_type: 'memory_exceeded', message })
      : failedAttempt({ error_type: 'internal_error', message: `cannot start the sandbox: ${message}` })
    lanes.finish(request.lane, request.id)
    reply({ type: 'done', id: request.id, lane: request.lane, outcome })
    return
  }
  const { sandbox, origin } = taken
  const callState = new CallState(request.id, request.policy, request.root, request.mounts)
  callState.fuelLeft = () => Math.max(0, sandbox.fuelLeft())
  callState.spendFuel = (fuel) => sandbox.setFuel(sandbox.fuelLeft() - fuel)
  sandbox.setFuel(request.policy.fuel)
  if (!lanes.start(request.lane, request.id)) {
    // taken back by the main thread before it started (aborted, or moved to an idle worker)
    keepReady({ key: keyOf(target), sandbox, origin })
    return
  }
  state = callState
  let outcome: AttemptOutcome
  let clean = false
  try {
    const result = runAttempt(sandbox, { task: request.policy.name, argsJson: request.argsJson, context: request.context }, callState, stackMapperFor(request.moduleDir))
    clean = result.clean
    outcome = {
      result: result.result,
      error: result.error,
      fuelConsumed: request.policy.fuel - sandbox.fuelLeft(),
      ramUsed: sandbox.memory.buffer.byteLength,
      logs: callState.finishLogs(),
      hostRequests: callState.hostRequests,
    }
  } catch (error) {
    outcome = failedAttempt({ error_type: 'internal_error', message: `the sandbox failed: ${errorMessage(error)}` })
  } finally {
    state = undefined
  }
  lanes.finish(request.lane, request.id)
  const resetting = clean && wiring.reuseSandboxes
  if (resetting) lanes.setReadiness(Readiness.Resetting)
  reply({ type: 'done', id: request.id, lane: request.lane, outcome, sandbox: origin })
  // Ready the next sandbox now, while the main thread handles the answer.
  if (resetting && resetSucceeds(sandbox)) keepReady({ key: keyOf(target), sandbox, origin: 'reset' })
  else {
    lanes.setReadiness(Readiness.Making)
    drop(target.ram, sandbox)
    await prepare(target)
  }
}

/** No task has this name: the warm-up call goes through the guest's dispatch and fails there. */
const WARM_UP_TASK = '\0capsule-warm-up'
const WARM_UP_FUEL = 1_000_000_000

/**
 * Runs the engine once on another module's snapshot (WarmUpRequest); its memory is then dropped
 * like a used sandbox's, for the module's first instance (the call fails by design: no such task).
 */
async function warmUp(request: WarmUpRequest): Promise<void> {
  let sandbox: Sandbox | undefined
  try {
    const [engine, snapshot] = await Promise.all([loadEngine(request.engineDir), readSnapshot(request.moduleDir)])
    sandbox = instantiateSandbox(engine, snapshot, null, imports)
    sandbox.setFuel(WARM_UP_FUEL)
    sandbox.run(WARM_UP_TASK, '[]', JSON.stringify({ env: {}, argv: [], cwd: '/' }))
  } catch {
    // only a head start: the first call compiles whatever this did not reach
  }
  if (sandbox) drop(null, sandbox)
}

function prepareRequested(request: PrepareRequest): Promise<void> {
  return prepare({ engineDir: request.engineDir, moduleDir: request.moduleDir, ram: request.ram })
}

let queue = Promise.resolve()
port.on('message', (request: WorkerRequest) => {
  if (request.type === 'engine') registerEngine(request.dir, request.key, request.modules)
  else if (request.type === 'prepare') queue = queue.then(() => prepareRequested(request))
  else if (request.type === 'preload') preload(request.engineDir, request.moduleDir)
  else if (request.type === 'warm-up') queue = queue.then(() => warmUp(request))
  else queue = queue.then(() => run(request))
})
