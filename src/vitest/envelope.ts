// What every matcher shares: checking that `received` is an envelope (or a promise of one, awaited),
// the list of error types, and the lines that describe an envelope in a failure message.
import { kindOf, show } from '../options/errors.ts'
import type { Envelope, ErrorType } from '../types.ts'
import type { MatcherResult, MatcherState } from 'vitest'

/** Every `error_type` of the contract (DESIGN.md part 1), in its order. */
export const ERROR_TYPES = [
  'task_error', 'timeout', 'fuel_exhausted', 'memory_exceeded', 'wasm_trap',
  'permission_denied', 'invalid_input', 'invalid_output', 'internal_error',
] as const satisfies readonly ErrorType[]

// Fails to compile when ErrorType gains a member the list lacks.
type Exhaustive<Missing extends never> = Missing
export type EveryErrorTypeListed = Exhaustive<Exclude<ErrorType, (typeof ERROR_TYPES)[number]>>

/** A matcher's synchronous answer: `{ pass, message, actual?, expected? }`. */
export type SyncMatcherResult = Exclude<MatcherResult, PromiseLike<unknown>>

const RECEIVED_ACCEPTED =
  'an envelope ({ success, result, error, execution }, what calling a task resolves to) or a Promise of one, e.g. expect(myTask(2, 3)).toSucceed()'

/** A matcher's usage error: a bad argument or a received value that is not an envelope. */
export class MatcherUsageError extends TypeError {
  override name = 'MatcherUsageError'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (isRecord(value) || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
}

/** The first thing that keeps `value` from being an envelope, or null when it is one. */
function envelopeProblem(value: unknown): string | null {
  if (!isRecord(value)) return `got ${kindOf(value)} ${show(value)}`
  if (typeof value.success !== 'boolean') return `got an object whose "success" is ${kindOf(value.success)}, not a boolean: ${show(value)}`
  if (!('result' in value)) return `got an object without "result": ${show(value)}`
  const error = value.error
  if (error !== null && !(isRecord(error) && typeof error.error_type === 'string' && typeof error.message === 'string')) {
    return `got an object whose "error" is neither null nor { error_type, message }: ${show(value)}`
  }
  const execution = value.execution
  if (!isRecord(execution) || typeof execution.task_name !== 'string' || typeof execution.duration_ms !== 'number' || typeof execution.fuel_consumed !== 'number') {
    return `got an object without a valid "execution" ({ task_name, duration_ms, fuel_consumed, ... }): ${show(value)}`
  }
  return null
}

/** Throws a MatcherUsageError for a bad matcher argument, naming the accepted forms. */
export function usageError(matcher: string, reason: string, accepted: string): MatcherUsageError {
  return new MatcherUsageError(`${matcher}: ${reason}; accepted: ${accepted}`)
}

/**
 * Runs `check` on the envelope `received` is, or resolves to. Synchronous for an envelope (the
 * matcher may be used without `await`), a Promise for a promise (the matcher must be awaited).
 */
export function onEnvelope(matcher: string, received: unknown, check: (envelope: Envelope) => SyncMatcherResult): MatcherResult {
  const checked = (value: unknown): SyncMatcherResult => {
    const problem = envelopeProblem(value)
    if (problem !== null) throw usageError(`${matcher}()`, `received must be an envelope, ${problem}`, RECEIVED_ACCEPTED)
    return check(value as Envelope)
  }
  return isThenable(received) ? Promise.resolve(received).then(checked) : checked(received)
}

/** Marks a received promise as handled when a matcher throws before awaiting it. */
export function discard(received: unknown): void {
  if (isThenable(received)) Promise.resolve(received).then(undefined, () => {})
}

/** `"add"`: the task's name as messages show it. */
export function taskLabel(state: MatcherState, envelope: Envelope): string {
  return `task ${state.utils.printReceived(envelope.execution.task_name)}`
}

/** The lines showing a failed envelope's error, and what the task logged before it failed. */
export function errorLines(state: MatcherState, envelope: Envelope): string {
  const error = envelope.error
  const logs = envelope.execution.logs?.length ? `\n${logLines(state, envelope)}` : ''
  if (error === null) return `Received error: ${state.utils.printReceived(null)} (success is false, but error is null)${logs}`
  return [
    `Received error_type: ${state.utils.printReceived(error.error_type)}`,
    `Received message:    ${state.utils.printReceived(error.message)}`,
  ].join('\n') + logs
}

/** The most log entries a message shows (the rest are counted). */
const SHOWN_LOGS = 20

/** `Received logs: (none)`, or one `[level] message` line per entry the call logged. */
export function logLines(state: MatcherState, envelope: Envelope): string {
  const logs = envelope.execution.logs ?? []
  if (logs.length === 0) return `Received logs: ${state.utils.RECEIVED_COLOR('(none: the task logged nothing)')}`
  const lines = logs.slice(0, SHOWN_LOGS).map((entry) => `  [${entry.level}] ${state.utils.printReceived(entry.message)}`)
  if (logs.length > SHOWN_LOGS) lines.push(`  ... and ${logs.length - SHOWN_LOGS} more`)
  return `Received logs (${logs.length}):\n${lines.join('\n')}`
}

/** `(the call failed: timeout)` after a figure, when the call did not succeed; else ''. */
export function outcomeNote(envelope: Envelope): string {
  return envelope.success ? '' : ` (the call failed: ${envelope.error?.error_type ?? 'no error'})`
}

/** The line showing a successful envelope's result. */
export function resultLine(state: MatcherState, envelope: Envelope): string {
  return `Received result: ${state.utils.printReceived(envelope.result)}`
}

/** `matcherHint` with the state's `.not` / `.resolves` flags. */
export function hint(state: MatcherState, matcher: string, expected = '', secondArgument = ''): string {
  return state.utils.matcherHint(matcher, 'received', expected, { isNot: state.isNot, promise: state.promise, secondArgument })
}
