// expect(envelope).toFailWith(errorType, message?): success false with that error_type; when a
// message is given, the error's message contains it (a string) or matches it (a RegExp), as
// `toThrow` does.
import type { MatcherResult, MatcherState } from 'vitest'
import { show } from '../../options/errors.ts'
import type { ErrorType } from '../../types.ts'
import { discard, ERROR_TYPES, errorLines, hint, onEnvelope, resultLine, taskLabel, usageError } from '../envelope.ts'

const ERROR_TYPE_ACCEPTED = `one of ${ERROR_TYPES.map((type) => `'${type}'`).join(', ')}`
const MESSAGE_ACCEPTED = 'a string (the error message must contain it), a RegExp (it must match), or nothing'

function checkArguments(errorType: unknown, message: unknown): void {
  if (typeof errorType !== 'string' || !(ERROR_TYPES as readonly string[]).includes(errorType)) {
    throw usageError('toFailWith(errorType, message?)', `errorType ${show(errorType)} is not an error_type`, ERROR_TYPE_ACCEPTED)
  }
  if (message !== undefined && typeof message !== 'string' && !(message instanceof RegExp)) {
    throw usageError('toFailWith(errorType, message?)', `message ${show(message)} is neither a string nor a RegExp`, MESSAGE_ACCEPTED)
  }
}

function messageMatches(actual: string, expected: string | RegExp): boolean {
  if (typeof expected === 'string') return actual.includes(expected)
  expected.lastIndex = 0
  return expected.test(actual)
}

export function toFailWith(this: MatcherState, received: unknown, errorType: ErrorType, message?: string | RegExp): MatcherResult {
  try {
    checkArguments(errorType, message)
  } catch (error) {
    discard(received)
    throw error
  }
  return onEnvelope('toFailWith', received, (envelope) => {
    const title = hint(this, 'toFailWith', 'errorType', message === undefined ? '' : 'message')
    const wanted = [
      `Expected error_type: ${this.utils.printExpected(errorType)}`,
      ...(message === undefined ? [] : [`Expected message:    ${typeof message === 'string' ? 'containing ' : 'matching '}${this.utils.printExpected(message)}`]),
    ].join('\n')
    const task = taskLabel(this, envelope)
    if (envelope.success) {
      return { pass: false, message: () => `${title}\n\nExpected the ${task} to fail, but it succeeded\n${wanted}\n${resultLine(this, envelope)}` }
    }
    const error = envelope.error
    const pass = error !== null && error.error_type === errorType && (message === undefined || messageMatches(error.message, message))
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${task} not to fail this way, but it did\n${wanted}\n${errorLines(this, envelope)}`
        : () => `${title}\n\nExpected the ${task} to fail ${error !== null && error.error_type === errorType ? 'with another message' : 'with another error_type'}\n${wanted}\n${errorLines(this, envelope)}`,
    }
  })
}
