// expect(envelope).toFail(): the call answered success: false, whatever its error_type. The failure
// message shows the result of the call that succeeded; `.not` shows the error_type, message and
// logs of the one that failed.
import type { MatcherResult, MatcherState } from 'vitest'
import { errorLines, hint, onEnvelope, resultLine, taskLabel } from '../envelope.ts'

export function toFail(this: MatcherState, received: unknown): MatcherResult {
  return onEnvelope('toFail', received, (envelope) => {
    const pass = !envelope.success
    const message = pass
      ? () => `${hint(this, 'toFail')}\n\nExpected the ${taskLabel(this, envelope)} not to fail, but it failed\n${errorLines(this, envelope)}`
      : () => `${hint(this, 'toFail')}\n\nExpected the ${taskLabel(this, envelope)} to fail, but it succeeded\n${resultLine(this, envelope)}`
    return { pass, message }
  })
}
