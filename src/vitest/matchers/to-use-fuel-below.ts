// expect(envelope).toUseFuelBelow(n): execution.fuel_consumed < n, whether the call succeeded or
// not (fuel is deterministic: the same task and arguments always consume the same amount).
import type { MatcherResult, MatcherState } from 'vitest'
import { show } from '../../options/errors.ts'
import { discard, hint, onEnvelope, outcomeNote, taskLabel, usageError } from '../envelope.ts'

const FUEL_ACCEPTED = 'a positive number of fuel units, e.g. 50_000_000'

export function toUseFuelBelow(this: MatcherState, received: unknown, fuel: number): MatcherResult {
  if (typeof fuel !== 'number' || !Number.isFinite(fuel) || fuel <= 0) {
    discard(received)
    throw usageError('toUseFuelBelow(fuel)', `${show(fuel)} is not a positive finite number`, FUEL_ACCEPTED)
  }
  return onEnvelope('toUseFuelBelow', received, (envelope) => {
    const title = hint(this, 'toUseFuelBelow', 'fuel')
    const used = envelope.execution.fuel_consumed
    const pass = used < fuel
    const outcome = outcomeNote(envelope)
    const lines = `Expected fuel: < ${this.utils.printExpected(fuel)}\nReceived fuel:   ${this.utils.printReceived(used)}${outcome}`
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${taskLabel(this, envelope)} not to use less than ${this.utils.printExpected(fuel)} fuel\n${lines}`
        : () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to use less fuel\n${lines}`,
    }
  })
}
