// Sandbox worker entry: runs one call at a time, each in a fresh sandbox (new memory, new
// instance of the shared engine), and keeps the next sandbox pre-made so instantiation stays off
// the caller's path. The runtime terminates this whole thread on timeout, which is what stops a
// CPU-bound guest; fuel and the memory cap stop the others from inside.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { argumentsTooBig, classifyGuestError, classifyReturn, classifyThrown, type SandboxReadings } from './classify.ts'
import { instantiateSandbox, loadEngine, loadSnapshot, RamTooSmall, registerEngine, type Sandbox } from './component-loader.ts'
import { CallState } from './host/call-state.ts'
import { hostImports } from './host/imports.ts'
import { createSubtaskCaller } from './host/subtask-channel.ts'
import type { AttemptOutcome, PrepareRequest, RunRequest, WorkerReply, WorkerRequest } from './messages.ts'
import { failedAttempt } from './envelope.ts'
import { wasiImports } from './wasi/index.ts'

const port = parentPort!
const idleState = new CallState(0, { name: '', fuel: 0, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] }, '/', [])
let state: CallState | undefined
const current = (): CallState => state ?? idleState

const wiring = workerData as { subtaskPort: MessagePort; subtaskSignal: SharedArrayBuffer }
const callSubtask = createSubtaskCaller({
  port: wiring.subtaskPort,
  signal: wiring.subtaskSignal,
  post: (message) => port.postMessage(message),
})

const imports = {
  ...wasiImports((text) => current().log('error', text.replace(/\n$/, ''))),
  'capsule:sandbox/host': hostImports(current, callSubtask),
}

/** The next sandbox, made right after the previous call answered (off the caller's path). */
interface Spare { key: string; sandbox: Promise<Sandbox> }
let spare: Spare | undefined

const spareKey = (target: { moduleDir: string; ram: number | null }) => `${target.moduleDir}\0${target.ram}`

async function makeSandbox(target: { engineDir: string; moduleDir: string }, ram: number | null): Promise<Sandbox> {
  const [engine, snapshot] = await Promise.all([loadEngine(target.engineDir), loadSnapshot(target.moduleDir)])
  return instantiateSandbox(engine, snapshot, ram, imports)
}

/** A sandbox nobody has used: the spare when it fits, else a new one. */
function freshSandbox(request: RunRequest): Promise<Sandbox> {
  const key = spareKey({ moduleDir: request.moduleDir, ram: request.policy.ram })
  const ready = spare?.key === key ? spare.sandbox : undefined
  spare = undefined
  return ready?.catch(() => makeSandbox(request, request.policy.ram)) ?? makeSandbox(request, request.policy.ram)
}

function prepareSpare(target: PrepareRequest): void {
  const key = spareKey(target)
  if (spare?.key === key) return
  const sandbox = makeSandbox(target, target.ram)
  sandbox.catch(() => {})
  spare = { key, sandbox }
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

function attempt(sandbox: Sandbox, request: RunRequest, callState: CallState): Pick<AttemptOutcome, 'result' | 'error'> {
  let thrown: unknown
  let json: string | undefined
  const inputBytes = Buffer.byteLength(request.argsJson)
  const tooBig = argumentsTooBig(inputBytes, sandbox.memory.buffer.byteLength, sandbox.ram)
  if (tooBig) return { result: null, error: tooBig }
  try {
    json = sandbox.run(request.policy.name, request.argsJson, JSON.stringify(request.context))
  } catch (error) {
    thrown = error
  }
  const readings: SandboxReadings = { fuelLeft: sandbox.fuelLeft(), memoryBytes: sandbox.memory.buffer.byteLength, ram: sandbox.ram, inputBytes }
  if (json !== undefined) {
    const classified = classifyReturn(json)
    return classified.ok ? { result: classified.result, error: null } : { result: null, error: classified.error }
  }
  const payload = (thrown as { payload?: unknown } | null)?.payload
  const error = payload !== undefined ? classifyGuestError(payload, callState, readings) : classifyThrown(thrown, readings)
  return { result: null, error }
}

async function run(request: RunRequest): Promise<void> {
  let outcome: AttemptOutcome
  try {
    const sandbox = await freshSandbox(request)
    const callState = new CallState(request.id, request.policy, request.root, request.mounts)
    callState.fuelLeft = () => Math.max(0, sandbox.fuelLeft())
    callState.spendFuel = (fuel) => sandbox.setFuel(sandbox.fuelLeft() - fuel)
    state = callState
    sandbox.setFuel(request.policy.fuel)
    reply({ type: 'started', id: request.id })
    const { result, error } = attempt(sandbox, request, callState)
    state = undefined
    outcome = {
      result,
      error,
      fuelConsumed: request.policy.fuel - sandbox.fuelLeft(),
      ramUsed: sandbox.memory.buffer.byteLength,
      logs: callState.finishLogs(),
      hostRequests: callState.hostRequests,
    }
  } catch (error) {
    state = undefined
    const message = error instanceof Error ? error.message : String(error)
    outcome = error instanceof RamTooSmall
      ? failedAttempt({ error_type: 'memory_exceeded', message })
      : failedAttempt({ error_type: 'internal_error', message: `cannot start the sandbox: ${message}` })
  }
  reply({ type: 'done', id: request.id, outcome })
  prepareSpare({ type: 'prepare', engineDir: request.engineDir, moduleDir: request.moduleDir, ram: request.policy.ram })
}

let queue = Promise.resolve()
port.on('message', (request: WorkerRequest) => {
  if (request.type === 'engine') registerEngine(request.dir, request.key, request.modules)
  else if (request.type === 'prepare') prepareSpare(request)
  else queue = queue.then(() => run(request))
})
