// Finds the tasks of a task module from its AST (oxc-parser): every export whose value is a
// `task(options, fn)` call, `task` being imported from 'unplugin-capsule' (renames and
// namespace imports included). The options must be written as literals; they are validated
// with resolveTaskOptions and every problem is reported at its file:line:column.

import { parseSync } from 'oxc-parser'
import type {
  Argument,
  CallExpression,
  Expression,
  ModuleExportName,
  ObjectExpression,
  ObjectProperty,
  PropertyKey,
  Span,
} from 'oxc-parser'
import { ACCEPTED, KNOWN_OPTIONS, OptionError, isKnownOption, resolveTaskOptions, type ResolveContext } from '../options/index.ts'
import type { ResolvedPolicy } from '../options/policy.ts'

export const PACKAGE_NAME = 'unplugin-capsule'

export interface DiscoveredTask {
  /** The export that holds the task: its name, or 'default'. */
  exportName: string
  policy: ResolvedPolicy
  /** Position of the `task(...)` call, 1-based (column in UTF-16 code units). */
  line: number
  column: number
}

export class TaskModuleError extends Error {
  override name = 'TaskModuleError'
  readonly file: string
  readonly line: number
  readonly column: number
  /** The option at fault, when there is one. */
  readonly option?: string
  /** The message without its `file:line:column: ` prefix. */
  readonly reason: string

  /** `message` is the full text, `${file}:${line}:${column}: reason` (see `TaskModuleError.at`). */
  constructor(message: string, file: string, line: number, column: number, option?: string, options?: ErrorOptions) {
    super(message, options)
    this.file = file
    this.line = line
    this.column = column
    if (option !== undefined) this.option = option
    const prefix = `${file}:${line}:${column}: `
    this.reason = message.startsWith(prefix) ? message.slice(prefix.length) : message
  }

  static at(file: string, line: number, column: number, reason: string, option?: string, cause?: unknown): TaskModuleError {
    return new TaskModuleError(`${file}:${line}:${column}: ${reason}`, file, line, column, option, cause === undefined ? undefined : { cause })
  }
}

const OPTIONS_ACCEPTED = `an object literal { name: 'my-task', ... } with the options ${KNOWN_OPTIONS.join(', ')}`

type Node = Span & { type: string }

/** Offset → 1-based line and column. */
function locator(source: string): (offset: number) => { line: number; column: number } {
  const starts = [0]
  const breaks = /\r\n?|\n|\u2028|\u2029/g
  for (let match = breaks.exec(source); match; match = breaks.exec(source)) starts.push(match.index + match[0].length)
  return (offset) => {
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (starts[mid]! <= offset) low = mid
      else high = mid - 1
    }
    return { line: low + 1, column: offset - starts[low]! + 1 }
  }
}

function langOf(file: string): 'js' | 'jsx' | 'ts' | 'tsx' {
  const path = file.replace(/[?#].*$/, '')
  if (/\.[cm]?tsx?$/.test(path)) return path.endsWith('x') ? 'tsx' : 'ts'
  return path.endsWith('.jsx') ? 'jsx' : 'js'
}

/** Strips parentheses and TypeScript-only wrappers (`as`, `satisfies`, `!`, `<T>x`). */
function unwrap(node: Expression): Expression {
  let current = node
  for (;;) {
    switch (current.type) {
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
        current = current.expression
        break
      default:
        return current
    }
  }
}

function exportNameOf(node: ModuleExportName): string {
  return node.type === 'Identifier' ? node.name : String(node.value)
}

/** A static property key ('ram', "ram", ['ram'], 1) or null when computed from an expression. */
function keyName(property: ObjectProperty): string | null {
  const key: PropertyKey = property.key
  if (!property.computed && key.type === 'Identifier') return key.name
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value)
  if (key.type === 'TemplateLiteral' && key.expressions.length === 0) return key.quasis[0]?.value.cooked ?? null
  return null
}

interface TaskCall {
  call: CallExpression
  options: ObjectExpression | null
  policy?: ResolvedPolicy
}

export function discoverTasks(source: string, file: string, context: ResolveContext): DiscoveredTask[] {
  const locate = locator(source)
  const fail = (at: number | Node, reason: string, option?: string, cause?: unknown): never => {
    const { line, column } = locate(typeof at === 'number' ? at : at.start)
    throw TaskModuleError.at(file, line, column, reason, option, cause)
  }
  const snippet = (node: Node): string => {
    const text = source.slice(node.start, node.end).replace(/\s+/g, ' ')
    return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``
  }
  const describe = (node: Node): string => {
    switch (node.type) {
      case 'Identifier': return `the identifier ${snippet(node)}`
      case 'CallExpression': case 'NewExpression': return `the call ${snippet(node)}`
      case 'TemplateLiteral': return `a template literal with \${} substitutions ${snippet(node)}`
      case 'SpreadElement': return `the spread ${snippet(node)}`
      case 'ArrowFunctionExpression': case 'FunctionExpression': return 'a function'
      case 'Literal': return `the regular expression ${snippet(node)}`
      default: return `the expression ${snippet(node)}`
    }
  }

  const parsed = parseSync(file, source, { lang: langOf(file), sourceType: 'module' })
  const parseError = parsed.errors.find((error) => error.severity === 'Error')
  if (parseError) fail(parseError.labels[0]?.start ?? 0, `syntax error: ${parseError.message}`)
  const { program } = parsed

  // 1. The local names of `task` and of namespace imports of the package.
  const taskNames = new Set<string>()
  const namespaces = new Set<string>()
  for (const statement of program.body) {
    if (statement.type !== 'ImportDeclaration' || statement.source.value !== PACKAGE_NAME) continue
    if (statement.importKind === 'type') continue
    for (const specifier of statement.specifiers) {
      if (specifier.type === 'ImportSpecifier') {
        if (specifier.importKind !== 'type' && exportNameOf(specifier.imported) === 'task') taskNames.add(specifier.local.name)
      } else if (specifier.type === 'ImportNamespaceSpecifier') {
        namespaces.add(specifier.local.name)
      }
    }
  }
  if (taskNames.size === 0 && namespaces.size === 0) return []

  const isTaskCall = (expression: Expression | null | undefined): CallExpression | null => {
    if (!expression) return null
    const node = unwrap(expression)
    if (node.type !== 'CallExpression') return null
    const callee = unwrap(node.callee)
    if (callee.type === 'Identifier' && taskNames.has(callee.name)) return node
    if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && namespaces.has(callee.object.name)) {
      const property = callee.property
      const name = property.type === 'Identifier' && !callee.computed
        ? property.name
        : property.type === 'Literal' && typeof property.value === 'string'
          ? property.value
          : null
      if (name === 'task') return node
    }
    return null
  }

  // 2. Top-level task calls, the bindings holding them, and the exports.
  const calls: TaskCall[] = []
  const bindings = new Map<string, TaskCall>()
  const exports: { exportName: string; local?: string; task?: TaskCall }[] = []
  const record = (call: CallExpression): TaskCall => {
    const entry: TaskCall = { call, options: null }
    calls.push(entry)
    return entry
  }
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) {
        const call = isTaskCall(declarator.init)
        if (!call || declarator.id.type !== 'Identifier') continue
        const entry = record(call)
        bindings.set(declarator.id.name, entry)
        if (statement.type === 'ExportNamedDeclaration') exports.push({ exportName: declarator.id.name, task: entry })
      }
    }
    if (statement.type === 'ExportNamedDeclaration' && !statement.declaration && !statement.source && statement.exportKind !== 'type') {
      for (const specifier of statement.specifiers) {
        if (specifier.exportKind === 'type' || specifier.local.type !== 'Identifier') continue
        exports.push({ exportName: exportNameOf(specifier.exported), local: specifier.local.name })
      }
    }
    if (statement.type === 'ExportDefaultDeclaration') {
      const value = statement.declaration as Expression
      const call = isTaskCall(value)
      if (call) exports.push({ exportName: 'default', task: record(call) })
      else if (unwrap(value).type === 'Identifier') exports.push({ exportName: 'default', local: (unwrap(value) as { name: string }).name })
    }
  }

  // 3. Validate every task call, in source order.
  const optionsOf = (call: CallExpression): ObjectExpression => {
    const [first, second] = call.arguments as (Argument | undefined)[]
    if (!first) fail(call, `task() needs its options as the first argument; accepted: ${OPTIONS_ACCEPTED}`)
    if (first!.type === 'SpreadElement') fail(first, `the options of task() must be an object literal (found ${describe(first)}); accepted: ${OPTIONS_ACCEPTED}`)
    const options = unwrap(first as Expression)
    if (options.type !== 'ObjectExpression') {
      fail(options, `the options of task() must be an object literal (found ${describe(options)}); accepted: ${OPTIONS_ACCEPTED}`)
    }
    if (!second || second.type === 'SpreadElement') fail(second ?? call, 'task() needs the task function as its second argument: task({ name, ... }, fn)')
    return options as ObjectExpression
  }

  /** The value of a literal-only expression; `option` names the top-level option for errors. */
  const evaluate = (expression: Expression | Node, option: string): unknown => {
    const notLiteral = (node: Node): never =>
      fail(node, `option "${option}" must be a literal value (found ${describe(node)}); accepted: ${isKnownOption(option) ? ACCEPTED[option] : OPTIONS_ACCEPTED}`, option)
    const node = unwrap(expression as Expression)
    switch (node.type) {
      case 'Literal':
        if ('regex' in node) return notLiteral(node)
        return node.value
      case 'UnaryExpression': {
        const argument = unwrap(node.argument)
        if ((node.operator === '-' || node.operator === '+') && argument.type === 'Literal' && typeof argument.value === 'number') {
          return node.operator === '-' ? -argument.value : argument.value
        }
        return notLiteral(node)
      }
      case 'TemplateLiteral':
        if (node.expressions.length > 0) return notLiteral(node)
        return node.quasis.map((quasi) => quasi.value.cooked ?? quasi.value.raw).join('')
      case 'ArrayExpression':
        return node.elements.map((element) => {
          if (element === null) return fail(node, `option "${option}" has an empty array slot; accepted: ${isKnownOption(option) ? ACCEPTED[option] : OPTIONS_ACCEPTED}`, option)
          if (element.type === 'SpreadElement') return notLiteral(element)
          return evaluate(element, option)
        })
      case 'ObjectExpression': {
        const result: Record<string, unknown> = {}
        for (const property of node.properties) {
          if (property.type === 'SpreadElement') return notLiteral(property)
          const key = keyName(property)
          if (key === null || property.kind !== 'init' || property.method) return notLiteral(property)
          Object.defineProperty(result, key, { value: evaluate(property.value, option), enumerable: true, writable: true, configurable: true })
        }
        return result
      }
      default:
        return notLiteral(node)
    }
  }

  /** The AST node of `option` (and `path` inside it), for positioning an OptionError. */
  const nodeFor = (options: ObjectExpression, option: string, path: (string | number)[]): Node | null => {
    const property = options.properties.findLast(
      (p): p is ObjectProperty => p.type === 'Property' && keyName(p) === option,
    )
    if (!property) return null
    let node: Node = unwrap(property.value)
    for (const segment of path) {
      let next: Node | null = null
      const current = node as Expression
      if (current.type === 'ArrayExpression' && typeof segment === 'number') {
        const element = current.elements[segment]
        if (element && element.type !== 'SpreadElement') next = unwrap(element)
      } else if (current.type === 'ObjectExpression') {
        const inner = current.properties.findLast((p): p is ObjectProperty => p.type === 'Property' && keyName(p) === String(segment))
        if (inner) next = unwrap(inner.value)
      }
      if (!next) break
      node = next
    }
    return node
  }

  const names = new Map<string, TaskCall>()
  for (const entry of calls) {
    const options = optionsOf(entry.call)
    entry.options = options
    const raw: Record<string, unknown> = {}
    const seen = new Set<string>()
    for (const property of options.properties) {
      if (property.type === 'SpreadElement') {
        fail(property, `task options cannot use a spread (found ${describe(property)}): write every option literally; accepted: ${OPTIONS_ACCEPTED}`)
      }
      const prop = property as ObjectProperty
      const key = keyName(prop)
      if (key === null) fail(prop.key, `task options cannot have a computed key (found ${snippet(prop.key)}); accepted: ${OPTIONS_ACCEPTED}`)
      if (prop.kind !== 'init' || prop.method) fail(prop, `option "${key}" must be a literal value (found a ${prop.method ? 'method' : `${prop.kind}ter`}); accepted: ${isKnownOption(key!) ? ACCEPTED[key] : OPTIONS_ACCEPTED}`, key!)
      if (seen.has(key!)) fail(prop, `option "${key}" is given twice; accepted: ${isKnownOption(key!) ? ACCEPTED[key] : OPTIONS_ACCEPTED}`, key!)
      seen.add(key!)
      // Unknown options are reported by resolveTaskOptions (with a suggestion), whatever their value.
      const value = isKnownOption(key!) ? evaluate(prop.value, key) : null
      Object.defineProperty(raw, key!, { value, enumerable: true, writable: true, configurable: true })
    }
    try {
      entry.policy = resolveTaskOptions(raw, context)
    } catch (error) {
      if (!(error instanceof OptionError)) throw error
      const at = error.scope === 'task' ? nodeFor(options, error.option, error.path) ?? entry.call : entry.call
      fail(at, error.message, error.option, error)
    }
    const first = names.get(entry.policy!.name)
    if (first) {
      const { line, column } = locate(first.call.start)
      fail(nodeFor(options, 'name', []) ?? entry.call,
        `option "name": '${entry.policy!.name}' is already the name of the task at ${line}:${column}; accepted: ${ACCEPTED.name}`, 'name')
    }
    names.set(entry.policy!.name, entry)
  }

  // 4. The exported tasks, in the source order of their calls.
  const found: { exportName: string; task: TaskCall }[] = []
  for (const item of exports) {
    const task = item.task ?? (item.local !== undefined ? bindings.get(item.local) : undefined)
    if (task) found.push({ exportName: item.exportName, task })
  }
  const order = new Map(calls.map((entry, index) => [entry, index]))
  found.sort((a, b) => order.get(a.task)! - order.get(b.task)!)
  return found.map(({ exportName, task }) => ({ exportName, policy: task.policy!, ...locate(task.call.start) }))
}
