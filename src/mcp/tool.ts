// A tool as the MCP server offers it: a name, a description, a JSON Schema of its input, and
// what a call does (always an envelope: a failed task is a result, never a thrown error).
import type { JsonSchema } from '../runtime/task-signature.ts'
import type { Envelope } from '../types.ts'

export interface CapsuleTool {
  name: string
  description: string
  inputSchema: JsonSchema
  /** Runs the tool; answers an envelope, or a string saying why the input does not fit. `signal`: the client cancelled. */
  call(input: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<Envelope | string>
}

/** MCP tool names: letters, digits, `_` and `-` (at most 64). */
export function toolName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64) || 'task'
}
