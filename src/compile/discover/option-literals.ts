// Literal evaluation of a task's options: `task({ name: 'a', timeout: '5s', ... }, fn)` read
// from the AST as plain values (literals, arrays and objects of literals, `-1`, template strings
// without substitutions). Anything computed is refused at its position, naming what was found
// and what the option accepts; so is an option's AST node found again for an OptionError.
import type { Argument, CallExpression, Expression, ObjectExpression, ObjectProperty } from 'oxc-parser'
import { ACCEPTED, KNOWN_OPTIONS, isKnownOption } from '../../options/index.ts'
import { keyName, unwrap, type AstNode } from './ast.ts'
import type { SourceErrors } from './source-errors.ts'

const OPTIONS_ACCEPTED = `an object literal { name: 'my-task', ... } with the options ${KNOWN_OPTIONS.join(', ')}`

/** What an option accepts (for messages), or what the options object accepts for an unknown one. */
function acceptedFor(option: string): string {
  return isKnownOption(option) ? ACCEPTED[option] : OPTIONS_ACCEPTED
}

/** The options object literal of a task call (its first argument); the task function must follow. */
export function optionsLiteral(call: CallExpression, errors: SourceErrors): ObjectExpression {
  const [first, second] = call.arguments as (Argument | undefined)[]
  if (!first) errors.fail(call, `task() needs its options as the first argument; accepted: ${OPTIONS_ACCEPTED}`)
  if (first.type === 'SpreadElement') errors.fail(first, `the options of task() must be an object literal (found ${errors.describe(first)}); accepted: ${OPTIONS_ACCEPTED}`)
  const options = unwrap(first)
  if (options.type !== 'ObjectExpression') {
    errors.fail(options, `the options of task() must be an object literal (found ${errors.describe(options)}); accepted: ${OPTIONS_ACCEPTED}`)
  }
  if (!second || second.type === 'SpreadElement') errors.fail(second ?? call, 'task() needs the task function as its second argument: task({ name, ... }, fn)')
  return options
}

/** The value of a literal-only expression; `option` names the top-level option for errors. */
function evaluate(expression: Expression, option: string, errors: SourceErrors): unknown {
  const notLiteral = (node: AstNode): never =>
    errors.fail(node, `option "${option}" must be a literal value (found ${errors.describe(node)}); accepted: ${acceptedFor(option)}`, option)
  const node = unwrap(expression)
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
        if (element === null) return errors.fail(node, `option "${option}" has an empty array slot; accepted: ${acceptedFor(option)}`, option)
        if (element.type === 'SpreadElement') return notLiteral(element)
        return evaluate(element, option, errors)
      })
    case 'ObjectExpression': {
      const result: Record<string, unknown> = {}
      for (const property of node.properties) {
        if (property.type === 'SpreadElement') return notLiteral(property)
        const key = keyName(property)
        if (key === null || property.kind !== 'init' || property.method) return notLiteral(property)
        Object.defineProperty(result, key, { value: evaluate(property.value, option, errors), enumerable: true, writable: true, configurable: true })
      }
      return result
    }
    default:
      return notLiteral(node)
  }
}

/** The raw options of a task call as plain values, for resolveTaskOptions (unknown options: null, reported there). */
export function literalOptions(options: ObjectExpression, errors: SourceErrors): Record<string, unknown> {
  const raw: Record<string, unknown> = {}
  const seen = new Set<string>()
  for (const property of options.properties) {
    if (property.type === 'SpreadElement') {
      errors.fail(property, `task options cannot use a spread (found ${errors.describe(property)}): write every option literally; accepted: ${OPTIONS_ACCEPTED}`)
    }
    const key = keyName(property)
    if (key === null) errors.fail(property.key, `task options cannot have a computed key (found ${errors.snippet(property.key)}); accepted: ${OPTIONS_ACCEPTED}`)
    if (property.kind !== 'init' || property.method) errors.fail(property, `option "${key}" must be a literal value (found a ${property.method ? 'method' : `${property.kind}ter`}); accepted: ${acceptedFor(key)}`, key)
    if (seen.has(key)) errors.fail(property, `option "${key}" is given twice; accepted: ${acceptedFor(key)}`, key)
    seen.add(key)
    // Unknown options are reported by resolveTaskOptions (with a suggestion), whatever their value.
    const value = isKnownOption(key) ? evaluate(property.value, key, errors) : null
    Object.defineProperty(raw, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return raw
}

/** The AST node of `option` (and `path` inside it), for positioning an OptionError. */
export function optionNode(options: ObjectExpression, option: string, path: (string | number)[]): AstNode | null {
  const property = options.properties.findLast((p): p is ObjectProperty => p.type === 'Property' && keyName(p) === option)
  if (!property) return null
  let node: AstNode = unwrap(property.value)
  for (const segment of path) {
    let next: AstNode | null = null
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
