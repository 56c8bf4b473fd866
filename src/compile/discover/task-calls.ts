// The AST walk of task discovery: the local names under which the module imports `task` from
// the package (renames and namespace imports included), every top-level `task(...)` call, the
// bindings holding them, and which of them the module exports.
import type { CallExpression, Expression, Program } from 'oxc-parser'
import { exportNameOf, unwrap } from './ast.ts'

export const PACKAGE_NAME = 'unplugin-capsule'

export interface ExportedTaskCall {
  /** The export that holds the task: its name, or 'default'. */
  exportName: string
  call: CallExpression
}

export interface TaskCalls {
  /** Every top-level task call, in source order. */
  calls: CallExpression[]
  /** The exported ones, in the source order of their calls. */
  exported: ExportedTaskCall[]
}

/** The local names of `task` and of namespace imports of the package. */
function taskImports(program: Program): { taskNames: Set<string>; namespaces: Set<string> } {
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
  return { taskNames, namespaces }
}

export function findTaskCalls(program: Program): TaskCalls {
  const { taskNames, namespaces } = taskImports(program)
  if (taskNames.size === 0 && namespaces.size === 0) return { calls: [], exported: [] }

  const asTaskCall = (expression: Expression | null | undefined): CallExpression | null => {
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

  const calls: CallExpression[] = []
  const bindings = new Map<string, CallExpression>()
  const exports: { exportName: string; local?: string; call?: CallExpression }[] = []
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) {
        const call = asTaskCall(declarator.init)
        if (!call || declarator.id.type !== 'Identifier') continue
        calls.push(call)
        bindings.set(declarator.id.name, call)
        if (statement.type === 'ExportNamedDeclaration') exports.push({ exportName: declarator.id.name, call })
      }
    }
    if (statement.type === 'ExportNamedDeclaration' && !statement.declaration && !statement.source && statement.exportKind !== 'type') {
      for (const specifier of statement.specifiers) {
        if (specifier.exportKind === 'type' || specifier.local.type !== 'Identifier') continue
        exports.push({ exportName: exportNameOf(specifier.exported), local: specifier.local.name })
      }
    }
    if (statement.type === 'ExportDefaultDeclaration') {
      const value = unwrap(statement.declaration as Expression)
      const call = asTaskCall(value)
      if (call) {
        calls.push(call)
        exports.push({ exportName: 'default', call })
      } else if (value.type === 'Identifier') {
        exports.push({ exportName: 'default', local: value.name })
      }
    }
  }

  const exported: ExportedTaskCall[] = []
  for (const item of exports) {
    const call = item.call ?? (item.local !== undefined ? bindings.get(item.local) : undefined)
    if (call) exported.push({ exportName: item.exportName, call })
  }
  exported.sort((a, b) => calls.indexOf(a.call) - calls.indexOf(b.call))
  return { calls, exported }
}
