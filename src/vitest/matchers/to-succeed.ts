// expect(envelope).toSucceed(): the call answered success: true. The failure message shows the
// error_type and message of the failed call; `.not` shows the result of the successful one.
import type { MatcherResult, MatcherState } from 'vitest'
import { errorLines, hint, onEnvelope, resultLine, taskLabel } from '../envelope.ts'

export function toSucceed(this: MatcherState, received: unknown): MatcherResult {
  return onEnvelope('toSucceed', received, (envelope) => {
    const pass = envelope.success
    const message = pass
      ? () => `${hint(this, 'toSucceed')}\n\nExpected the ${taskLabel(this, envelope)} to fail, but it succeeded\n${resultLine(this, envelope)}`
      : () => `${hint(this, 'toSucceed')}\n\nExpected the ${taskLabel(this, envelope)} to succeed, but it failed\n${errorLines(this, envelope)}`
    return { pass, message }
  })
}
