// expect(envelope).toSucceedWithin(duration): success, and execution.duration_ms (wall time,
// retries included) is at most `duration` — '50ms', '2s', '1m30s' or a number of ms, the forms of
// the `timeout` task option.
import type { MatcherResult, MatcherState } from 'vitest'
import { OptionError } from '../../options/errors.ts'
import { parseDuration, TIMEOUT_ACCEPTED } from '../../options/timeout.ts'
import { discard, errorLines, hint, onEnvelope, taskLabel, usageError } from '../envelope.ts'

function durationArgument(duration: unknown): number {
  try {
    return parseDuration(duration, 'duration')
  } catch (error) {
    if (error instanceof OptionError) throw usageError('toSucceedWithin(duration)', error.reason, TIMEOUT_ACCEPTED)
    throw error
  }
}

/** `50 ms`, or `50 ms ('0.05s')` when the user wrote another form. */
function shownLimit(state: MatcherState, duration: unknown, ms: number): string {
  const text = state.utils.printExpected(`${ms} ms`)
  return typeof duration === 'string' && duration.trim() !== `${ms}ms` ? `${text} (${duration})` : text
}

export function toSucceedWithin(this: MatcherState, received: unknown, duration: string | number): MatcherResult {
  let limit: number
  try {
    limit = durationArgument(duration)
  } catch (error) {
    discard(received)
    throw error
  }
  return onEnvelope('toSucceedWithin', received, (envelope) => {
    const title = hint(this, 'toSucceedWithin', 'duration')
    const within = `within ${shownLimit(this, duration, limit)}`
    const took = this.utils.printReceived(`${Math.round(envelope.execution.duration_ms * 100) / 100} ms`)
    if (!envelope.success) {
      return {
        pass: false,
        message: () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to succeed ${within}, but it failed (after ${took})\n${errorLines(this, envelope)}`,
      }
    }
    const pass = envelope.execution.duration_ms <= limit
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${taskLabel(this, envelope)} not to succeed ${within}, but it succeeded in ${took}`
        : () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to succeed ${within}, but it took ${took}`,
    }
  })
}
