// What a tool-facing caller (the MCP server) knows about a task beyond its policy: a
// description from its JSDoc comment and a JSON Schema of its input, derived from the
// TypeScript parameter types at build time and carried in the manifest.

/** A JSON Schema object (draft 2020-12 subset: type, properties, required, items, enum, const, anyOf, description). */
export type JsonSchema = Record<string, unknown>

/**
 * How a tool input (a JSON object) becomes the task's arguments:
 * - `params`: one property per parameter, passed in this order;
 * - `input`: the task takes one object parameter: the input itself is that argument;
 * - `args`: the parameter types are not plain: `input.args` is the argument array.
 */
export type SignatureArgs = { from: 'params'; names: string[] } | { from: 'input' } | { from: 'args' }

export interface TaskSignature {
  /** The task's JSDoc comment (without tags), when it has one. */
  description?: string
  /** JSON Schema of the tool input; always `type: 'object'`. */
  inputSchema: JsonSchema
  args: SignatureArgs
}

/** The fallback input: an `args` array of JSON values. */
export const ARGS_INPUT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { args: { type: 'array', description: "the task's arguments, as JSON values", items: {} } },
  required: ['args'],
}

/** The task arguments for a tool input, or an error message when the input does not fit. */
export function argumentsFor(signature: TaskSignature | undefined, input: Record<string, unknown> | undefined): unknown[] | string {
  const value = input ?? {}
  const args = signature?.args ?? { from: 'args' }
  if (args.from === 'input') return [value]
  if (args.from === 'args') {
    if (value.args === undefined) return []
    return Array.isArray(value.args) ? value.args : 'the input property "args" must be an array of the task\'s arguments'
  }
  const required = (signature?.inputSchema.required as string[] | undefined) ?? []
  const missing = required.filter((name) => value[name] === undefined)
  if (missing.length > 0) return `missing required input ${missing.map((name) => `"${name}"`).join(', ')}`
  const list = args.names.map((name) => value[name])
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop()
  return list.map((item) => (item === undefined ? null : item))
}
