// An envelope as an MCP tool result: the whole envelope as structuredContent, plus a short text
// for clients that only show text (the result — a string as is, anything else as JSON — or
// `error_type: message`, then the console lines).
// A failed envelope sets isError.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Envelope } from '../types.ts'

const MAX_TEXT = 8_000
const MAX_LOG_LINES = 50

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters in structuredContent)`
}

export function envelopeResult(envelope: Envelope): CallToolResult {
  const head = envelope.success
    ? clip(typeof envelope.result === 'string' ? envelope.result : JSON.stringify(envelope.result) ?? 'null', MAX_TEXT)
    : `${envelope.error.error_type}: ${clip(envelope.error.message, MAX_TEXT)}`
  const logs = envelope.execution.logs
  const shown = logs.slice(0, MAX_LOG_LINES).map((entry) => `[${entry.level}] ${clip(entry.message, 500)}`)
  if (logs.length > MAX_LOG_LINES) shown.push(`… ${logs.length - MAX_LOG_LINES} more log lines in structuredContent`)
  const text = shown.length > 0 ? `${head}\n\nconsole:\n${shown.join('\n')}` : head
  return {
    content: [{ type: 'text', text }],
    structuredContent: envelope as unknown as Record<string, unknown>,
    isError: !envelope.success,
  }
}

/** A call whose input does not fit the tool: an error result, the task never ran. */
export function invalidInputResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: `invalid_input: ${message}` }], isError: true }
}
