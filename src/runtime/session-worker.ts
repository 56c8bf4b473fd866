// Session worker entry: holds ONE sandbox for the whole life of a session and runs every call of
// that session in it, so globals and variables persist from one run to the next. Fuel is set
// afresh for each run; the memory cap is the session's. A run that traps (fuel, memory, any
// wasm trap) poisons the instance: it is dropped and the session is reported lost. A timeout is
// the main thread's doing: it terminates this thread.
import { parentPort } from 'node:worker_threads'
import type { ResolvedPolicy } from '../options/policy.ts'
import type { SessionReply, SessionRequest, SessionRun } from './agents/session-messages.ts'
import { runAttempt } from './attempt.ts'
import { instantiateSandbox, loadEngine, loadSnapshot, RamTooSmall, registerEngine, type Sandbox } from './component-loader.ts'
import { failedAttempt } from './envelope.ts'
import { CallState } from './host/call-state.ts'
import { hostImports } from './host/imports.ts'
import type { AttemptOutcome } from './messages.ts'
import type { ErrorType } from '../types.ts'
import { wasiImports } from './wasi/index.ts'
import { errorMessage } from '../shared/error-message.ts'

const port = parentPort!
const idlePolicy: ResolvedPolicy = { name: '', fuel: 0, ram: null, timeout: null, maxRetries: 0, files: [], hosts: [], env: [] }
const idleState = new CallState(0, idlePolicy, '/', [])
let state: CallState | undefined
const current = (): CallState => state ?? idleState

/** A session's snippet has no other task to call. */
const noSubtasks = (_callId: number, name: string): string =>
  JSON.stringify({ success: false, result: null, error: { error_type: 'permission_denied', message: `sub-task "${name}" refused: a session cannot call tasks` } })

const imports = {
  ...wasiImports((text) => current().log('error', text.replace(/\n$/, ''))),
  'capsule:sandbox/host': hostImports(current, noSubtasks),
}

/** Errors after which the instance must never be used again. */
const ENDS_THE_SANDBOX = new Set<ErrorType>(['fuel_exhausted', 'memory_exceeded', 'wasm_trap', 'internal_error'])

let sandbox: Promise<Sandbox> | undefined

function reply(message: SessionReply): void {
  port.postMessage(message)
}

function outcomeOf(instance: Sandbox, request: SessionRun, callState: CallState): AttemptOutcome {
  const { result, error } = runAttempt(instance, { task: request.policy.name, argsJson: request.argsJson, context: request.context }, callState)
  return {
    result,
    error,
    fuelConsumed: Math.max(0, request.policy.fuel - instance.fuelLeft()),
    ramUsed: instance.memory.buffer.byteLength,
    logs: callState.finishLogs(),
    hostRequests: callState.hostRequests,
  }
}

async function run(request: SessionRun): Promise<void> {
  let instance: Sandbox
  try {
    if (!sandbox) throw new Error('the session has no sandbox')
    instance = await sandbox
  } catch (error) {
    const message = errorMessage(error)
    const outcome = error instanceof RamTooSmall
      ? failedAttempt({ error_type: 'memory_exceeded', message })
      : failedAttempt({ error_type: 'internal_error', message: `cannot start the session's sandbox: ${message}` })
    reply({ type: 'done', id: request.id, outcome, lost: true })
    return
  }
  const callState = new CallState(request.id, request.policy, request.root, request.mounts)
  callState.fuelLeft = () => Math.max(0, instance.fuelLeft())
  state = callState
  instance.setFuel(request.policy.fuel)
  reply({ type: 'started', id: request.id })
  const outcome = outcomeOf(instance, request, callState)
  state = undefined
  const lost = outcome.error !== null && ENDS_THE_SANDBOX.has(outcome.error.error_type)
  if (lost) sandbox = undefined
  reply({ type: 'done', id: request.id, outcome, lost })
}

let queue = Promise.resolve()
port.on('message', (request: SessionRequest) => {
  if (request.type === 'open') {
    registerEngine(request.engineDir, request.engineKey, request.modules)
    sandbox = Promise.all([loadEngine(request.engineDir), loadSnapshot(request.moduleDir)])
      .then(([engine, snapshot]) => instantiateSandbox(engine, snapshot, request.ram, imports))
    sandbox.catch(() => {})
  } else {
    queue = queue.then(() => run(request))
  }
})
