// Routes `console` to the host's `log` import: with the stdio feature off, output would
// otherwise vanish. The host caps and records the lines in the envelope.
import { log } from 'capsule:sandbox/host@0.1.0'
import { formatLogLine } from './format.ts'

const levels = { debug: 'debug', info: 'info', log: 'log', warn: 'warn', error: 'error', trace: 'debug' } as const

export function installConsole(): void {
  const target = globalThis.console as unknown as Record<string, unknown>
  for (const [method, level] of Object.entries(levels)) {
    target[method] = (...args: unknown[]) => log(level, formatLogLine(args))
  }
}
