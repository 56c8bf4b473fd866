// expect(envelope).toHaveLogged(text, level?): one of execution.logs contains `text` (a string) or
// matches it (a RegExp); with `level`, only entries of that console level count. The failure
// message lists every log the call made.
import type { MatcherResult, MatcherState } from 'vitest'
import { show } from '../../options/errors.ts'
import type { LogLevel } from '../../types.ts'
import { discard, hint, logLines, onEnvelope, outcomeNote, taskLabel, usageError } from '../envelope.ts'

/** Every console level a log entry may have (the contract's LogEntry). */
export const LOG_LEVELS = ['log', 'info', 'warn', 'error', 'debug'] as const satisfies readonly LogLevel[]

const TEXT_ACCEPTED = 'a string (a log message must contain it) or a RegExp (a log message must match it)'
const LEVEL_ACCEPTED = `one of ${LOG_LEVELS.map((level) => `'${level}'`).join(', ')}, or nothing (any level)`

function checkArguments(text: unknown, level: unknown): void {
  if (typeof text !== 'string' && !(text instanceof RegExp)) {
    throw usageError('toHaveLogged(text, level?)', `text ${show(text)} is neither a string nor a RegExp`, TEXT_ACCEPTED)
  }
  if (level !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(level)) {
    throw usageError('toHaveLogged(text, level?)', `level ${show(level)} is not a console level`, LEVEL_ACCEPTED)
  }
}

function matches(message: string, text: string | RegExp): boolean {
  if (typeof text === 'string') return message.includes(text)
  text.lastIndex = 0
  return text.test(message)
}

export function toHaveLogged(this: MatcherState, received: unknown, text: string | RegExp, level?: LogLevel): MatcherResult {
  try {
    checkArguments(text, level)
  } catch (error) {
    discard(received)
    throw error
  }
  return onEnvelope('toHaveLogged', received, (envelope) => {
    const title = hint(this, 'toHaveLogged', 'text', level === undefined ? '' : 'level')
    const logs = envelope.execution.logs ?? []
    const pass = logs.some((entry) => (level === undefined || entry.level === level) && matches(entry.message, text))
    const how = typeof text === 'string' ? 'containing' : 'matching'
    const wanted = `Expected a log ${how} ${this.utils.printExpected(text)}${level === undefined ? '' : ` at level ${this.utils.printExpected(level)}`}`
    const lines = `${wanted}\n${logLines(this, envelope)}`
    return {
      pass,
      message: pass
        ? () => `${title}\n\nExpected the ${taskLabel(this, envelope)} not to log it, but it did${outcomeNote(envelope)}\n${lines}`
        : () => `${title}\n\nExpected the ${taskLabel(this, envelope)} to log it, but it did not${outcomeNote(envelope)}\n${lines}`,
    }
  })
}
