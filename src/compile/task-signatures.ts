// Derives each task's tool signature from its source: the JSDoc comment over the exported task
// (description, `@param` texts) and a JSON Schema of its input from the TypeScript types of the
// task function's parameters, where they are plain (string, number, boolean, null, literals and
// unions of them, arrays, object literals). Anything else (no annotation, generics, named types,
// rest parameters) falls back to an `args` array of JSON values. Runs beside discoverTasks (at
// build time); the result travels in the manifest to `capsule mcp`.
import { parseSync } from 'oxc-parser'
import { ARGS_INPUT_SCHEMA, type JsonSchema, type TaskSignature } from '../runtime/task-signature.ts'
import type { DiscoveredTask } from './discover-tasks.ts'

type AnyNode = { type: string; start: number; end: number } & Record<string, any>

interface JsDoc { description?: string; params: Map<string, string> }

const PARAM_TAG = /^@param\s+(?:\{[^}]*\}\s*)?\[?([A-Za-z_$][\w$]*)[^\s\]]*\]?\s*(?:-\s*)?(.*)$/

function parseJsDoc(comment: string): JsDoc {
  const lines = comment.replace(/^\*/, '').split('\n').map((line) => line.replace(/^\s*\*?\s?/, '').trimEnd())
  const description: string[] = []
  const params = new Map<string, string>()
  let param: string | undefined
  let inTags = false
  for (const line of lines) {
    const match = PARAM_TAG.exec(line)
    if (match) {
      param = match[1]!
      params.set(param, match[2]!.trim())
      inTags = true
    } else if (line.startsWith('@')) {
      param = undefined
      inTags = true
    } else if (param !== undefined) {
      params.set(param, `${params.get(param)} ${line}`.trim())
    } else if (!inTags) {
      description.push(line)
    }
  }
  for (const [name, text] of params) if (text === '') params.delete(name)
  const text = description.join('\n').trim()
  return { description: text || undefined, params }
}

/** JSON Schema of a plain TypeScript type, or null when it is not plain. */
function schemaOf(type: AnyNode | null | undefined): JsonSchema | null {
  if (!type) return null
  switch (type.type) {
    case 'TSStringKeyword': return { type: 'string' }
    case 'TSNumberKeyword': return { type: 'number' }
    case 'TSBooleanKeyword': return { type: 'boolean' }
    case 'TSNullKeyword': return { type: 'null' }
    case 'TSParenthesizedType': return schemaOf(type.typeAnnotation)
    case 'TSLiteralType': {
      const value = type.literal?.value
      return ['string', 'number', 'boolean'].includes(typeof value) ? { const: value } : null
    }
    case 'TSArrayType': {
      const items = schemaOf(type.elementType)
      return items ? { type: 'array', items } : null
    }
    case 'TSTypeReference': {
      const name = type.typeName?.type === 'Identifier' ? type.typeName.name : undefined
      const params = type.typeArguments?.params as AnyNode[] | undefined
      if ((name === 'Array' || name === 'ReadonlyArray') && params?.length === 1) {
        const items = schemaOf(params[0])
        return items ? { type: 'array', items } : null
      }
      return null
    }
    case 'TSTypeOperator':
      return type.operator === 'readonly' ? schemaOf(type.typeAnnotation) : null
    case 'TSTypeLiteral': return objectSchemaOf(type)
    case 'TSUnionType': {
      const members = (type.types as AnyNode[]).map(schemaOf)
      if (members.some((member) => member === null)) return null
      if (members.every((member) => member && 'const' in member)) return { enum: members.map((member) => member!.const) }
      return { anyOf: members }
    }
    default: return null
  }
}

function objectSchemaOf(literal: AnyNode): JsonSchema | null {
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const member of literal.members as AnyNode[]) {
    if (member.type !== 'TSPropertySignature' || member.computed) return null
    const key = member.key.type === 'Identifier' ? member.key.name : typeof member.key.value === 'string' ? member.key.value : null
    const schema = schemaOf(member.typeAnnotation?.typeAnnotation)
    if (key === null || !schema) return null
    properties[key] = schema
    if (!member.optional) required.push(key)
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
}

interface Parameter { name: string | null; type: AnyNode | null; optional: boolean; rest: boolean }

function parameterOf(param: AnyNode): Parameter {
  if (param.type === 'RestElement') return { name: null, type: null, optional: true, rest: true }
  if (param.type === 'AssignmentPattern') {
    const inner = parameterOf(param.left)
    return { ...inner, type: inner.type ?? param.typeAnnotation?.typeAnnotation ?? null, optional: true }
  }
  const type = param.typeAnnotation?.typeAnnotation ?? null
  return { name: param.type === 'Identifier' ? param.name : null, type, optional: Boolean(param.optional), rest: false }
}

function signatureOf(fn: AnyNode | undefined, doc: JsDoc | undefined): TaskSignature {
  const description = doc?.description
  const base = description ? { description } : {}
  const params = fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') ? (fn.params as AnyNode[]).map(parameterOf) : null
  if (!params) return { ...base, inputSchema: ARGS_INPUT_SCHEMA, args: { from: 'args' } }
  // One object-literal parameter (often destructured): the tool input is that object.
  if (params.length === 1 && params[0]!.type?.type === 'TSTypeLiteral' && !params[0]!.rest) {
    const schema = objectSchemaOf(params[0]!.type)
    if (schema) return { ...base, inputSchema: withDescriptions(schema, doc), args: { from: 'input' } }
  }
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const param of params) {
    const schema = param.name !== null && !param.rest ? schemaOf(param.type) : null
    if (!schema || param.name === null) return { ...base, inputSchema: ARGS_INPUT_SCHEMA, args: { from: 'args' } }
    properties[param.name] = schema
    if (!param.optional) required.push(param.name)
  }
  const inputSchema = withDescriptions({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) }, doc)
  return { ...base, inputSchema, args: { from: 'params', names: params.map((param) => param.name!) } }
}

/** Adds the `@param` texts to the matching properties. */
function withDescriptions(schema: JsonSchema, doc: JsDoc | undefined): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema>
  for (const [name, text] of doc?.params ?? []) {
    if (properties[name]) properties[name] = { ...properties[name], description: text }
  }
  return schema
}

function offsetOf(source: string, line: number, column: number): number {
  let offset = 0
  for (let current = 1; current < line; current++) offset = source.indexOf('\n', offset) + 1
  return offset + column - 1
}

/** The signature of every discovered task, keyed by its export name. */
export function taskSignatures(source: string, file: string, tasks: DiscoveredTask[]): Map<string, TaskSignature> {
  const lang = /\.[cm]?tsx?$/.test(file) ? (file.endsWith('x') ? 'tsx' : 'ts') : 'js'
  const { program, comments } = parseSync(file, source, { lang, sourceType: 'module' })
  const statements = program.body as unknown as AnyNode[]
  const docs = (comments as AnyNode[]).filter((comment) => comment.type === 'Block' && String(comment.value).startsWith('*'))

  /** The task(...) call starting at `offset`, and the top-level statement holding it. */
  const find = (offset: number): { call?: AnyNode; statement?: AnyNode } => {
    const statement = statements.find((node) => node.start <= offset && offset < node.end)
    let call: AnyNode | undefined
    const visit = (node: unknown): void => {
      if (call || typeof node !== 'object' || node === null) return
      const candidate = node as AnyNode
      if (candidate.type === 'CallExpression' && candidate.start === offset) {
        call = candidate
        return
      }
      for (const value of Object.values(candidate)) {
        if (Array.isArray(value)) value.forEach(visit)
        else if (typeof value === 'object') visit(value)
      }
    }
    visit(statement)
    return { call, statement }
  }

  const result = new Map<string, TaskSignature>()
  for (const task of tasks) {
    const { call, statement } = find(offsetOf(source, task.line, task.column))
    const comment = statement && docs.findLast((doc) => doc.end <= statement.start && source.slice(doc.end, statement.start).trim() === '')
    result.set(task.exportName, signatureOf(call?.arguments?.[1], comment ? parseJsDoc(String(comment.value)) : undefined))
  }
  return result
}
