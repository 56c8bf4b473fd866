// Builds the JSON envelope every call answers with.
import type { Envelope, HostRequest, LogEntry, TaskError } from '../types.ts'
import type { AttemptOutcome } from './messages.ts'

export interface EnvelopeParts {
  taskName: string
  startedAt: number
  result: unknown
  error: TaskError | null
  retries: number
  fuelConsumed: number
  ramUsed: number
  hostRequests: HostRequest[]
  logs: LogEntry[]
}

export function makeEnvelope(parts: EnvelopeParts): Envelope {
  const execution = {
    task_name: parts.taskName,
    duration_ms: Math.round((performance.now() - parts.startedAt) * 100) / 100,
    retries: parts.retries,
    fuel_consumed: parts.fuelConsumed,
    ram_used: parts.ramUsed,
    host_requests: parts.hostRequests,
    logs: parts.logs,
  }
  return parts.error === null
    ? { success: true, result: parts.result ?? null, error: null, execution }
    : { success: false, result: null, error: parts.error, execution }
}

/** An attempt that never ran guest code (or whose worker was killed): only its error is known. */
export function failedAttempt(error: TaskError): AttemptOutcome {
  return { result: null, error, fuelConsumed: 0, ramUsed: 0, logs: [], hostRequests: [] }
}

export function failureEnvelope(taskName: string, startedAt: number, error: TaskError): Envelope {
  return makeEnvelope({ taskName, startedAt, result: null, error, retries: 0, fuelConsumed: 0, ramUsed: 0, hostRequests: [], logs: [] })
}
