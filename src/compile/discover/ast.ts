// Small readers over oxc's ESTree-shaped AST that task discovery shares: the expression under
// TypeScript-only wrappers, static property keys, export names.
import type { Expression, ModuleExportName, ObjectProperty, PropertyKey, Span } from 'oxc-parser'

/** Any AST node: its source span and its type. */
export type AstNode = Span & { type: string }

/** Strips parentheses and TypeScript-only wrappers (`as`, `satisfies`, `!`, `<T>x`). */
export function unwrap(node: Expression): Expression {
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

export function exportNameOf(node: ModuleExportName): string {
  return node.type === 'Identifier' ? node.name : String(node.value)
}

/** A static property key ('ram', "ram", ['ram'], 1) or null when computed from an expression. */
export function keyName(property: ObjectProperty): string | null {
  const key: PropertyKey = property.key
  if (!property.computed && key.type === 'Identifier') return key.name
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value)
  if (key.type === 'TemplateLiteral' && key.expressions.length === 0) return key.quasis[0]?.value.cooked ?? null
  return null
}
