// Finds the tasks of a task module from its AST (oxc-parser): every export whose value is a
// `task(options, fn)` call, `task` being imported from 'unplugin-capsule' (renames and
// namespace imports included). The options must be written as literals; they are validated
// with resolveTaskOptions and every problem is reported at its file:line:column.
// The jobs: the AST walk (discover/task-calls.ts), literal evaluation (discover/option-literals.ts),
// locating errors (discover/source-errors.ts); this file puts them together.

import { parseSync, type CallExpression } from 'oxc-parser'
import { ACCEPTED, OptionError, resolveTaskOptions, type ResolveContext } from '../options/index.ts'
import type { ResolvedPolicy } from '../options/policy.ts'
import { literalOptions, optionNode, optionsLiteral } from './discover/option-literals.ts'
import { SourceErrors } from './discover/source-errors.ts'
import { findTaskCalls } from './discover/task-calls.ts'
import { TaskModuleError } from './task-module-error.ts'

/** What discoverTasks throws for a problem in the module. */
export { TaskModuleError }

export interface DiscoveredTask {
  /** The export that holds the task: its name, or 'default'. */
  exportName: string
  policy: ResolvedPolicy
  /** Position of the `task(...)` call, 1-based (column in UTF-16 code units). */
  line: number
  column: number
}

function langOf(file: string): 'js' | 'jsx' | 'ts' | 'tsx' {
  const path = file.replace(/[?#].*$/, '')
  if (/\.[cm]?tsx?$/.test(path)) return path.endsWith('x') ? 'tsx' : 'ts'
  return path.endsWith('.jsx') ? 'jsx' : 'js'
}

export function discoverTasks(source: string, file: string, context: ResolveContext): DiscoveredTask[] {
  // Typed explicitly, so its never-returning fail() narrows like a throw.
  const errors: SourceErrors = new SourceErrors(source, file)
  const parsed = parseSync(file, source, { lang: langOf(file), sourceType: 'module' })
  const parseError = parsed.errors.find((error) => error.severity === 'Error')
  if (parseError) errors.fail(parseError.labels[0]?.start ?? 0, `syntax error: ${parseError.message}`)
  const { calls, exported } = findTaskCalls(parsed.program)

  // Every task call is validated, in source order, exported or not.
  const policies = new Map<CallExpression, ResolvedPolicy>()
  const named = new Map<string, number>()
  for (const call of calls) {
    const options = optionsLiteral(call, errors)
    const raw = literalOptions(options, errors)
    let policy: ResolvedPolicy
    try {
      policy = resolveTaskOptions(raw, context)
    } catch (error) {
      if (!(error instanceof OptionError)) throw error
      const at = error.scope === 'task' ? optionNode(options, error.option, error.path) ?? call : call
      errors.fail(at, error.message, error.option, error)
    }
    const first = named.get(policy.name)
    if (first !== undefined) {
      const { line, column } = errors.position(first)
      errors.fail(optionNode(options, 'name', []) ?? call,
        `option "name": '${policy.name}' is already the name of the task at ${line}:${column}; accepted: ${ACCEPTED.name}`, 'name')
    }
    named.set(policy.name, call.start)
    policies.set(call, policy)
  }
  return exported.flatMap(({ exportName, call }) => {
    const policy = policies.get(call)
    return policy ? [{ exportName, policy, ...errors.position(call.start) }] : []
  })
}
