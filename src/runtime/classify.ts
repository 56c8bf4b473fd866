// Turns what came out of the guest into an attempt's result or error. The guest's own error
// claims are only trusted as far as the host can verify them; traps are classified from what
// the host can see: the fuel counter and the memory's size against its cap.
import { formatBytes } from '../options/ram.ts'
import type { ErrorType, TaskError } from '../types.ts'
import type { CallState } from './host/call-state.ts'
import { jsonLimitProblem, MAX_OUTPUT_BYTES } from './json-limits.ts'
import type { StackMapper } from './stack-map.ts'
import { errorMessage } from '../shared/error-message.ts'

export { MAX_OUTPUT_BYTES }
/** A guest error payload longer than this is not parsed, only cut (its message is capped anyway). */
const MAX_ERROR_PAYLOAD = 1024 * 1024
/** SpiderMonkey's own out-of-memory error, as the guest bootstrap stringifies it. */
const ENGINE_OUT_OF_MEMORY = /^(?:InternalError: |RangeError: |Error: )?(?:out of memory|allocation size overflow|Out of memory)$/
/**
 * A trap or out-of-memory error this close to the cap is the cap's doing: the guest allocator
 * grows memory in chunks, so a refused growth can leave up to a chunk unused below the cap.
 */
const NEAR_CAP_MIN_BYTES = 2 * 1024 * 1024
const NEAR_CAP_FRACTION = 0.25

const GUEST_ERROR_TYPES = new Set<ErrorType>(['task_error', 'invalid_output', 'permission_denied', 'invalid_input'])

export type Classified = { ok: true; result: unknown } | { ok: false; error: TaskError }

/** What the host knows about the sandbox after the call. */
export interface SandboxReadings {
  fuelLeft: number
  memoryBytes: number
  ram: number | null
  /** Bytes of the call's arguments (UTF-8), copied into the guest's memory before it runs. */
  inputBytes?: number
}

function nearMemoryCap(readings: SandboxReadings): boolean {
  if (readings.ram === null) return false
  return readings.memoryBytes >= readings.ram - Math.max(NEAR_CAP_MIN_BYTES, readings.ram * NEAR_CAP_FRACTION)
}

/** The arguments cannot fit in what is left of the memory cap (the guest holds them twice). */
function inputOverflows(readings: SandboxReadings): boolean {
  if (readings.ram === null || !readings.inputBytes) return false
  return readings.inputBytes * 2 >= readings.ram - readings.memoryBytes
}

/** Refuses, before the guest runs, arguments that cannot even be copied into its memory. */
export function argumentsTooBig(inputBytes: number, memoryBytes: number, ram: number | null): TaskError | null {
  if (ram === null || inputBytes < ram - memoryBytes) return null
  return { error_type: 'memory_exceeded', message: `the arguments (${inputBytes} bytes) do not fit in the task's memory limit of ${ram} bytes` }
}

function memoryExceeded(readings: SandboxReadings): TaskError {
  return { error_type: 'memory_exceeded', message: `the task exceeded its memory limit of ${formatBytes(readings.ram ?? 0)}` }
}

export function classifyReturn(json: string): Classified {
  if (typeof json !== 'string') return { ok: false, error: { error_type: 'invalid_output', message: 'the sandbox returned a malformed result' } }
  const problem = jsonLimitProblem(json, 'the result')
  if (problem) return { ok: false, error: { error_type: 'invalid_output', message: problem } }
  try {
    const parsed = JSON.parse(json) as { result?: unknown }
    if (parsed && typeof parsed === 'object' && 'result' in parsed) return { ok: true, result: parsed.result }
  } catch {
    // fall through
  }
  return { ok: false, error: { error_type: 'invalid_output', message: 'the sandbox returned a malformed result' } }
}

/** An `err` from the guest's `run`: JSON {error_type, message, stack?} that the host re-checks. */
export function classifyGuestError(payload: unknown, state: CallState, readings: SandboxReadings, mapStack?: StackMapper): TaskError {
  let claimed: Partial<TaskError> = {}
  if (typeof payload === 'string' && payload.length > MAX_ERROR_PAYLOAD) {
    claimed = { error_type: 'task_error', message: payload.slice(0, 65_536) }
  } else if (typeof payload === 'string') {
    try {
      const parsed = JSON.parse(payload) as unknown
      claimed = parsed !== null && typeof parsed === 'object' ? parsed : { error_type: 'task_error', message: payload }
    } catch {
      claimed = { error_type: 'task_error', message: payload }
    }
  }
  let errorType: ErrorType = GUEST_ERROR_TYPES.has(claimed.error_type as ErrorType) ? (claimed.error_type as ErrorType) : 'task_error'
  // The guest may only report a denial the host actually made during this call.
  if (errorType === 'permission_denied' && state.denials === 0) errorType = 'task_error'
  const message = typeof claimed.message === 'string' ? claimed.message.slice(0, 65_536) : 'the task failed'
  // A big allocation refused at the cap surfaces as a catchable "out of memory": one the engine
  // raised itself (its exact message) when a cap is set, or any such message near the cap.
  if (errorType === 'task_error') {
    if (/out of memory/i.test(message) && nearMemoryCap(readings)) return memoryExceeded(readings)
    if (readings.ram !== null && ENGINE_OUT_OF_MEMORY.test(message)) return memoryExceeded(readings)
  }
  const stack = typeof claimed.stack === 'string' ? mapStack?.(message, claimed.stack.slice(0, 16_384)) : undefined
  return stack === undefined ? { error_type: errorType, message } : { error_type: errorType, message, stack }
}

/** A trap or host exception thrown while the guest ran. */
export function classifyThrown(error: unknown, readings: SandboxReadings): TaskError {
  if (readings.fuelLeft < 0) return { error_type: 'fuel_exhausted', message: 'the task used up its fuel (compute budget)' }
  if (error instanceof WebAssembly.RuntimeError || (error instanceof RangeError && /call stack/i.test(error.message))) {
    // Many small allocations end in an `unreachable` trap just below the cap.
    if (nearMemoryCap(readings) || inputOverflows(readings)) return memoryExceeded(readings)
    return { error_type: 'wasm_trap', message: `the sandbox trapped: ${error.message}` }
  }
  const message = errorMessage(error)
  return { error_type: 'internal_error', message: `the host failed while running the task: ${message}` }
}
