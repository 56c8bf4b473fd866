// Sandbox worker entry: runs one call at a time, each in a fresh component instance, and
// keeps the next instance pre-made so instantiation stays off the caller's path. The runtime
// terminates this whole thread on timeout, which is what stops a CPU-bound guest.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { classifyGuestError, classifyReturn, classifyThrown } from './classify.ts'
import { instantiateComponent, loadComponent, type ComponentInstance } from './component-loader.ts'
import { CallState } from './host/call-state.ts'
import { hostImports } from './host/imports.ts'
import { createSubtaskCaller } from './host/subtask-channel.ts'
import type { AttemptOutcome, RunRequest, WorkerReply, WorkerRequest } from './messages.ts'
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

let spare: { dir: string; instance: ComponentInstance } | undefined

async function freshInstance(dir: string): Promise<ComponentInstance> {
  if (spare?.dir === dir) {
    const { instance } = spare
    spare = undefined
    return instance
  }
  return instantiateComponent(await loadComponent(dir), imports)
}

function prepareSpare(dir: string): void {
  setImmediate(() => {
    if (spare) return
    loadComponent(dir)
      .then((component) => {
        spare ??= { dir, instance: instantiateComponent(component, imports) }
      })
      .catch(() => {})
  })
}

function reply(message: WorkerReply): void {
  port.postMessage(message)
}

function attempt(instance: ComponentInstance, request: RunRequest, callState: CallState): Pick<AttemptOutcome, 'result' | 'error'> {
  try {
    const json = instance.run(request.policy.name, request.argsJson, JSON.stringify(request.context))
    const classified = classifyReturn(json)
    return classified.ok ? { result: classified.result, error: null } : { result: null, error: classified.error }
  } catch (error) {
    const payload = (error as { payload?: unknown } | null)?.payload
    if (payload !== undefined) return { result: null, error: classifyGuestError(payload, callState) }
    return { result: null, error: classifyThrown(error) }
  }
}

async function run(request: RunRequest): Promise<void> {
  let outcome: AttemptOutcome
  try {
    const instance = await freshInstance(request.componentDir)
    const callState = new CallState(request.id, request.policy, request.root, request.mounts)
    state = callState
    reply({ type: 'started', id: request.id })
    const { result, error } = attempt(instance, request, callState)
    state = undefined
    outcome = {
      result,
      error,
      fuelConsumed: 0,
      ramUsed: instance.memory?.buffer.byteLength ?? 0,
      logs: callState.finishLogs(),
      hostRequests: callState.hostRequests,
    }
  } catch (error) {
    state = undefined
    const message = error instanceof Error ? error.message : String(error)
    outcome = { result: null, error: { error_type: 'internal_error', message: `cannot start the sandbox: ${message}` }, fuelConsumed: 0, ramUsed: 0, logs: [], hostRequests: [] }
  }
  reply({ type: 'done', id: request.id, outcome })
  prepareSpare(request.componentDir)
}

let queue = Promise.resolve()
port.on('message', (request: WorkerRequest) => {
  if (request.type === 'prepare') prepareSpare(request.componentDir)
  else queue = queue.then(() => run(request))
})
