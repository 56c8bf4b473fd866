// expect(envelope).toSucceedWith(expected): success, and the result deep-equals `expected`
// (`this.equals`, so asymmetric matchers and custom testers work). A successful call with another
// result reports `actual`/`expected`, which Vitest turns into a diff.
import type { MatcherResult, MatcherState } from 'vitest'
import { errorLines, hint, onEnvelope, resultLine, taskLabel } from '../envelope.ts'

export function toSucceedWith(this: MatcherState, received: unknown, expected: unknown): MatcherResult {
  return onEnvelope('toSucceedWith', received, (envelope) => {
    const title = hint(this, 'toSucceedWith', 'expected')
    const wanted = `Expected result: ${this.utils.printExpected(expected)}`
    if (!envelope.success) {
      return {
        pass: false,
        message: () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to succeed, but it failed\n${wanted}\n${errorLines(this, envelope)}`,
      }
    }
    const pass = this.equals(envelope.result, expected, this.customTesters)
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${taskLabel(this, envelope)} not to succeed with this result, but it did\n${wanted}`
        : () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to succeed with another result\n${wanted}\n${resultLine(this, envelope)}`,
      actual: envelope.result,
      expected,
    }
  })
}
