// expect(envelope).toHaveRetried(times?): execution.retries (retries actually performed, each in a
// fresh sandbox after a failed attempt) is exactly `times`; without `times`, at least one retry.
import type { MatcherResult, MatcherState } from 'vitest'
import { show } from '../../options/errors.ts'
import { discard, errorLines, hint, onEnvelope, taskLabel, usageError } from '../envelope.ts'

const TIMES_ACCEPTED = 'an integer from 0 to 10 (the exact number of retries), or nothing (at least one retry)'

function retriesWord(count: number): string {
  return `${count} ${count === 1 ? 'retry' : 'retries'}`
}

export function toHaveRetried(this: MatcherState, received: unknown, times?: number): MatcherResult {
  if (times !== undefined && !(Number.isInteger(times) && times >= 0 && times <= 10)) {
    discard(received)
    throw usageError('toHaveRetried(times?)', `${show(times)} is not an integer from 0 to 10`, TIMES_ACCEPTED)
  }
  return onEnvelope('toHaveRetried', received, (envelope) => {
    const title = hint(this, 'toHaveRetried', times === undefined ? '' : 'times')
    const retries = envelope.execution.retries
    const pass = times === undefined ? retries > 0 : retries === times
    const expected = times === undefined ? 'at least 1 retry' : retriesWord(times)
    const outcome = envelope.success ? `the call succeeded${retries > 0 ? ' on its last attempt' : ''}` : `the call failed\n${errorLines(this, envelope)}`
    const lines = `Expected: ${this.utils.printExpected(expected)}\nReceived: ${this.utils.printReceived(retriesWord(retries))}; ${outcome}`
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${taskLabel(this, envelope)} not to be retried ${times === undefined ? 'at all' : retriesWord(times)}, but it was\n${lines}`
        : () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to be retried ${times === undefined ? 'at least once' : retriesWord(times)}\n${lines}`,
    }
  })
}
