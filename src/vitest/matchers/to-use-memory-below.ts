// expect(envelope).toUseMemoryBelow(size): execution.ram_used (the sandbox's peak linear memory)
// is below `size` — bytes, or '16MB', '512KB', '1.5GB' as the `ram` option takes them — whether
// the call succeeded or not.
import type { MatcherResult, MatcherState } from 'vitest'
import { OptionError } from '../../options/errors.ts'
import { formatBytes, parseBytes, RAM_ACCEPTED } from '../../options/ram.ts'
import { discard, hint, onEnvelope, outcomeNote, taskLabel, usageError } from '../envelope.ts'

function sizeArgument(size: unknown): number {
  try {
    return parseBytes(size, 'size')
  } catch (error) {
    if (error instanceof OptionError) throw usageError('toUseMemoryBelow(size)', error.reason, RAM_ACCEPTED)
    throw error
  }
}

/** `16MiB (16777216 bytes)`. */
function shownSize(bytes: number): string {
  return `${formatBytes(bytes)} (${bytes} bytes)`
}

export function toUseMemoryBelow(this: MatcherState, received: unknown, size: string | number): MatcherResult {
  let limit: number
  try {
    limit = sizeArgument(size)
  } catch (error) {
    discard(received)
    throw error
  }
  return onEnvelope('toUseMemoryBelow', received, (envelope) => {
    const title = hint(this, 'toUseMemoryBelow', 'size')
    const used = envelope.execution.ram_used
    const pass = used < limit
    const lines = `Expected memory: < ${this.utils.printExpected(shownSize(limit))}\nReceived memory:   ${this.utils.printReceived(shownSize(used))}${outcomeNote(envelope)}`
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${taskLabel(this, envelope)} not to use less than ${formatBytes(limit)} of memory\n${lines}`
        : () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to use less memory\n${lines}`,
    }
  })
}
