// One call of a task in a sandbox that is ready (fuel set, call state current), classified on
// the host: the arguments checked against the memory cap, the guest's answer or error read
// under the JSON limits, a trap told apart from the task's own error. Shared by the pooled
// sandbox worker and the session worker, so both judge a call the same way.
import { argumentsTooBig, classifyGuestError, classifyReturn, classifyThrown, type SandboxReadings } from './classify.ts'
import type { Sandbox } from './component-loader.ts'
import type { CallState } from './host/call-state.ts'
import type { AttemptOutcome, CallContext } from './messages.ts'
import type { StackMapper } from './stack-map.ts'

export interface AttemptInput {
  task: string
  argsJson: string
  context: CallContext
}

export interface Attempt extends Pick<AttemptOutcome, 'result' | 'error'> {
  /** The guest returned, or failed with its own error: the sandbox may be reset and reused. */
  clean: boolean
}

export function runAttempt(sandbox: Sandbox, input: AttemptInput, callState: CallState, mapStack?: StackMapper): Attempt {
  let thrown: unknown
  let json: string | undefined
  const inputBytes = Buffer.byteLength(input.argsJson)
  const tooBig = argumentsTooBig(inputBytes, sandbox.memory.buffer.byteLength, sandbox.ram)
  if (tooBig) return { result: null, error: tooBig, clean: true }
  try {
    json = sandbox.run(input.task, input.argsJson, JSON.stringify(input.context))
  } catch (error) {
    thrown = error
  }
  const readings: SandboxReadings = { fuelLeft: sandbox.fuelLeft(), memoryBytes: sandbox.memory.buffer.byteLength, ram: sandbox.ram, inputBytes }
  if (json !== undefined) {
    const classified = classifyReturn(json)
    return classified.ok ? { result: classified.result, error: null, clean: true } : { result: null, error: classified.error, clean: true }
  }
  // Only an `err` the guest's run returned is clean; a trap or a host exception is not.
  const payload = (thrown as { payload?: unknown } | null)?.payload
  if (payload !== undefined) return { result: null, error: classifyGuestError(payload, callState, readings, mapStack), clean: true }
  return { result: null, error: classifyThrown(thrown, readings), clean: false }
}
